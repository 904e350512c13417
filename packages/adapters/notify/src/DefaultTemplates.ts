/**
 * The help desk's own templates, in English and French, one per built-in kind: what customers
 * and agents receive until a workspace saves its own. They are ordinary data, checked by the same
 * `Template.check` as a user's template (a test holds them to it).
 */
import type { Template } from "./Template.js"

const html = (...paragraphs: ReadonlyArray<string>): string => paragraphs.map((p) => `<p>${p}</p>`).join("\n")

const en: ReadonlyArray<Template> = [
  {
    kind: "acknowledgement",
    language: "en",
    subject: "[#{{ticket.number}}] {{ticket.subject}}",
    text: "Hello {{recipient.name}},\n\nThank you for contacting {{helpdesk.name}}. Your request #{{ticket.number}} has been received and we will answer {{sla.expected}}.\n\n{{message.text}}\n\nTo add anything, simply reply to this email.\n",
    html: html(
      "Hello {{recipient.name}},",
      "Thank you for contacting {{helpdesk.name}}. Your request #{{ticket.number}} has been received and we will answer {{sla.expected}}.",
      "{{message.text}}",
      "To add anything, simply reply to this email."
    )
  },
  {
    kind: "reply",
    language: "en",
    subject: "Re: [#{{ticket.number}}] {{ticket.subject}}",
    text: "{{reply.text}}\n\n-- \n{{reply.author}}, {{helpdesk.name}}\n",
    html: html("{{reply.text}}", "{{reply.author}}, {{helpdesk.name}}")
  },
  {
    kind: "still_on_it",
    language: "en",
    subject: "[#{{ticket.number}}] We are still on it: {{ticket.subject}}",
    text: "Hello {{recipient.name}},\n\nWe have not forgotten your request #{{ticket.number}}: we are still working on it and will get back to you {{sla.expected}}.\n\n{{helpdesk.name}}\n",
    html: html(
      "Hello {{recipient.name}},",
      "We have not forgotten your request #{{ticket.number}}: we are still working on it and will get back to you {{sla.expected}}.",
      "{{helpdesk.name}}"
    )
  },
  {
    kind: "survey",
    language: "en",
    subject: "[#{{ticket.number}}] How did we do?",
    text: "Hello {{recipient.name}},\n\nYour request #{{ticket.number}} ({{ticket.subject}}) is solved. Would you tell us how we did? It takes one click:\n{{survey.url}}\n\n{{helpdesk.name}}\n",
    html: html(
      "Hello {{recipient.name}},",
      "Your request #{{ticket.number}} ({{ticket.subject}}) is solved. Would you tell us how we did?",
      '<a href="{{survey.url}}">Rate our answer</a>',
      "{{helpdesk.name}}"
    )
  },
  {
    kind: "problem_solved",
    language: "en",
    subject: "[#{{ticket.number}}] Fixed: {{ticket.subject}}",
    text: "Hello {{recipient.name}},\n\nThe problem behind your request #{{ticket.number}} ({{ticket.subject}}) has been fixed. Thank you for reporting it; if anything is still wrong, simply reply to this email.\n\n{{helpdesk.name}}\n",
    html: html(
      "Hello {{recipient.name}},",
      "The problem behind your request #{{ticket.number}} ({{ticket.subject}}) has been fixed. Thank you for reporting it; if anything is still wrong, simply reply to this email.",
      "{{helpdesk.name}}"
    )
  },
  {
    kind: "assigned",
    language: "en",
    subject: "[#{{ticket.number}}] Assigned to {{assignee.name}}: {{ticket.subject}}",
    text: "Ticket #{{ticket.number}} ({{ticket.subject}}) is now assigned to {{assignee.name}} in {{group.name}}.\nRequester: {{requester.name}}. Priority: {{ticket.priority}}.\n",
    html: html(
      "Ticket #{{ticket.number}} ({{ticket.subject}}) is now assigned to {{assignee.name}} in {{group.name}}.",
      "Requester: {{requester.name}}. Priority: {{ticket.priority}}."
    )
  },
  {
    kind: "customer_replied",
    language: "en",
    subject: "[#{{ticket.number}}] {{requester.name}} replied: {{ticket.subject}}",
    text: "{{reply.author}} wrote on ticket #{{ticket.number}}:\n\n{{reply.text}}\n",
    html: html("{{reply.author}} wrote on ticket #{{ticket.number}}:", "{{reply.text}}")
  },
  {
    kind: "sla_warning",
    language: "en",
    subject: "[#{{ticket.number}}] SLA warning ({{sla.metric}}): {{ticket.subject}}",
    text: "The {{sla.metric}} target of ticket #{{ticket.number}} is due {{sla.due}}.\nAssignee: {{ticket.assignee}}. Group: {{ticket.group}}.\n",
    html: html(
      "The {{sla.metric}} target of ticket #{{ticket.number}} is due {{sla.due}}.",
      "Assignee: {{ticket.assignee}}. Group: {{ticket.group}}."
    )
  },
  {
    kind: "mentioned",
    language: "en",
    subject: "[#{{ticket.number}}] {{note.author}} mentioned you: {{ticket.subject}}",
    text: "{{note.author}} mentioned you in an internal note on ticket #{{ticket.number}}:\n\n{{note.text}}\n",
    html: html("{{note.author}} mentioned you in an internal note on ticket #{{ticket.number}}:", "{{note.text}}")
  }
]

const fr: ReadonlyArray<Template> = [
  {
    kind: "acknowledgement",
    language: "fr",
    subject: "[#{{ticket.number}}] {{ticket.subject}}",
    text: "Bonjour {{recipient.name}},\n\nMerci d'avoir contacté {{helpdesk.name}}. Votre demande n° {{ticket.number}} a bien été reçue et nous vous répondrons {{sla.expected}}.\n\n{{message.text}}\n\nPour ajouter quoi que ce soit, répondez simplement à ce message.\n",
    html: html(
      "Bonjour {{recipient.name}},",
      "Merci d'avoir contacté {{helpdesk.name}}. Votre demande n° {{ticket.number}} a bien été reçue et nous vous répondrons {{sla.expected}}.",
      "{{message.text}}",
      "Pour ajouter quoi que ce soit, répondez simplement à ce message."
    )
  },
  {
    kind: "reply",
    language: "fr",
    subject: "Re: [#{{ticket.number}}] {{ticket.subject}}",
    text: "{{reply.text}}\n\n-- \n{{reply.author}}, {{helpdesk.name}}\n",
    html: html("{{reply.text}}", "{{reply.author}}, {{helpdesk.name}}")
  },
  {
    kind: "still_on_it",
    language: "fr",
    subject: "[#{{ticket.number}}] Nous y travaillons toujours : {{ticket.subject}}",
    text: "Bonjour {{recipient.name}},\n\nNous n'avons pas oublié votre demande n° {{ticket.number}} : nous y travaillons toujours et reviendrons vers vous {{sla.expected}}.\n\n{{helpdesk.name}}\n",
    html: html(
      "Bonjour {{recipient.name}},",
      "Nous n'avons pas oublié votre demande n° {{ticket.number}} : nous y travaillons toujours et reviendrons vers vous {{sla.expected}}.",
      "{{helpdesk.name}}"
    )
  },
  {
    kind: "survey",
    language: "fr",
    subject: "[#{{ticket.number}}] Votre avis nous intéresse",
    text: "Bonjour {{recipient.name}},\n\nVotre demande n° {{ticket.number}} ({{ticket.subject}}) est résolue. Pouvez-vous nous dire ce que vous en avez pensé ? Un clic suffit :\n{{survey.url}}\n\n{{helpdesk.name}}\n",
    html: html(
      "Bonjour {{recipient.name}},",
      "Votre demande n° {{ticket.number}} ({{ticket.subject}}) est résolue. Pouvez-vous nous dire ce que vous en avez pensé ?",
      '<a href="{{survey.url}}">Donner mon avis</a>',
      "{{helpdesk.name}}"
    )
  },
  {
    kind: "problem_solved",
    language: "fr",
    subject: "[#{{ticket.number}}] Corrigé : {{ticket.subject}}",
    text: "Bonjour {{recipient.name}},\n\nLe problème à l'origine de votre demande n° {{ticket.number}} ({{ticket.subject}}) est corrigé. Merci de nous l'avoir signalé ; si quelque chose ne va toujours pas, répondez simplement à cet e-mail.\n\n{{helpdesk.name}}\n",
    html: html(
      "Bonjour {{recipient.name}},",
      "Le problème à l'origine de votre demande n° {{ticket.number}} ({{ticket.subject}}) est corrigé. Merci de nous l'avoir signalé ; si quelque chose ne va toujours pas, répondez simplement à cet e-mail.",
      "{{helpdesk.name}}"
    )
  },
  {
    kind: "assigned",
    language: "fr",
    subject: "[#{{ticket.number}}] Attribué à {{assignee.name}} : {{ticket.subject}}",
    text: "Le ticket n° {{ticket.number}} ({{ticket.subject}}) est maintenant attribué à {{assignee.name}} dans {{group.name}}.\nDemandeur : {{requester.name}}. Priorité : {{ticket.priority}}.\n",
    html: html(
      "Le ticket n° {{ticket.number}} ({{ticket.subject}}) est maintenant attribué à {{assignee.name}} dans {{group.name}}.",
      "Demandeur : {{requester.name}}. Priorité : {{ticket.priority}}."
    )
  },
  {
    kind: "customer_replied",
    language: "fr",
    subject: "[#{{ticket.number}}] {{requester.name}} a répondu : {{ticket.subject}}",
    text: "{{reply.author}} a écrit sur le ticket n° {{ticket.number}} :\n\n{{reply.text}}\n",
    html: html("{{reply.author}} a écrit sur le ticket n° {{ticket.number}} :", "{{reply.text}}")
  },
  {
    kind: "sla_warning",
    language: "fr",
    subject: "[#{{ticket.number}}] Alerte SLA ({{sla.metric}}) : {{ticket.subject}}",
    text: "L'objectif {{sla.metric}} du ticket n° {{ticket.number}} arrive à échéance {{sla.due}}.\nAttribué à : {{ticket.assignee}}. Groupe : {{ticket.group}}.\n",
    html: html(
      "L'objectif {{sla.metric}} du ticket n° {{ticket.number}} arrive à échéance {{sla.due}}.",
      "Attribué à : {{ticket.assignee}}. Groupe : {{ticket.group}}."
    )
  },
  {
    kind: "mentioned",
    language: "fr",
    subject: "[#{{ticket.number}}] {{note.author}} vous a mentionné : {{ticket.subject}}",
    text: "{{note.author}} vous a mentionné dans une note interne du ticket n° {{ticket.number}} :\n\n{{note.text}}\n",
    html: html(
      "{{note.author}} vous a mentionné dans une note interne du ticket n° {{ticket.number}} :",
      "{{note.text}}"
    )
  }
]

/**
 * The default templates: every built-in kind in English and in French.
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaults: ReadonlyArray<Template> = [...en, ...fr]
