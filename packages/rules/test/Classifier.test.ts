import { Text } from "@tessera/core"
import { Effect } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Classifier from "../src/Classifier.js"
import * as Lexicon from "../src/Lexicon.js"

const label = (text: string, options?: Classifier.Options) => {
  const c = Classifier.classify(text, options)
  return { sentiment: c.sentiment, urgency: c.urgency, language: c.language }
}

describe("Classifier.classify: English", () => {
  it.each([
    [
      "This is UNACCEPTABLE!!! Your service has been down for hours and I need it fixed ASAP. Worst support ever.",
      "negative",
      "high"
    ],
    // An outage report without complaint words is urgent but not negative; isStressful covers both.
    ["Production is down for all users, we are losing money. Please escalate immediately.", "neutral", "high"],
    ["Hi, how do I export my invoices to CSV? Thanks.", "neutral", "normal"],
    ["Thank you so much, the new dashboard is great and really helpful!", "positive", "normal"],
    ["No rush, just wondering whether you plan dark mode.", "neutral", "low"],
    ["I am very disappointed: charged twice this month and still waiting for a refund.", "negative", "normal"],
    ["Our checkout is not working and the site is down, urgent!", "negative", "high"]
  ] as const)("%s -> %s / %s", (text, sentiment, urgency) => {
    expect(label(text)).toEqual({ sentiment, urgency, language: "en" })
  })

  it("a negated positive is not positive", () => {
    for (const text of ["I am not happy with this.", "This is not great.", "The update isn't helpful at all"]) {
      expect(Classifier.classify(text).sentiment).toBe("negative")
    }
    expect(Classifier.classify("I am happy with this.").sentiment).toBe("positive")
  })

  it("a negated negative softens to faint praise, never to strong praise", () => {
    const c = Classifier.classify("It is not terrible.")
    expect(c.sentimentScore).toBeGreaterThan(0)
    expect(c.sentimentScore).toBeLessThan(Classifier.classify("It is great.").sentimentScore)
  })

  it("contractions are read as negation: don't, can't, won't", () => {
    expect(Classifier.classify("I don't like the new plan").sentiment).toBe("neutral")
    expect(Classifier.classify("I don't like the new plan").sentimentScore).toBeLessThan(0)
    expect(Classifier.classify("I can't log in").urgencyScore).toBe(2)
    expect(Classifier.classify("It won't help").matched).toEqual([])
  })

  it("intensifiers, capitals and repeated exclamation marks each raise the magnitude", () => {
    const base = Classifier.classify("I am disappointed").sentimentScore
    expect(Classifier.classify("I am very disappointed").sentimentScore).toBeLessThan(base)
    expect(Classifier.classify("I am DISAPPOINTED").sentimentScore).toBeLessThan(base)
    expect(Classifier.classify("I am disappointed!!!").sentimentScore).toBeLessThan(base)
    expect(Classifier.classify("I am disappointed!").sentimentScore).toBe(base)
  })

  it("set phrases do not count their words on their own", () => {
    expect(Classifier.classify("Best regards, Jane").matched).toEqual([])
    expect(Classifier.classify("I would like to change my plan").matched).toEqual([])
  })

  it("negation does not cross a clause boundary", () => {
    expect(Classifier.classify("No, I am happy").sentiment).toBe("positive")
  })
})

describe("Classifier.classify: French", () => {
  it.each([
    [
      "Bonjour, pourriez-vous m'indiquer comment modifier l'adresse de facturation ? Merci d'avance.",
      "neutral",
      "normal"
    ],
    [
      "C'est INADMISSIBLE !!! Le site est en panne depuis ce matin, nos clients ne peuvent plus commander. Urgent.",
      "negative",
      "high"
    ],
    ["Je suis très déçu, j'ai été prélevé deux fois et toujours pas de réponse.", "negative", "normal"],
    ["Merci beaucoup, le support est génial et très réactif !", "positive", "normal"],
    ["Bonjour, rien d'urgent : pourriez-vous ajouter un export CSV quand vous aurez le temps ?", "neutral", "low"],
    [
      "Tout est bloqué en production, c'est bloquant pour toute l'équipe, merci de traiter au plus vite.",
      "neutral",
      "high"
    ]
  ] as const)("%s -> %s / %s", (text, sentiment, urgency) => {
    expect(label(text)).toEqual({ sentiment, urgency, language: "fr" })
  })

  it("a negated positive is not positive: pas content, ne ... pas", () => {
    expect(Classifier.classify("Je ne suis pas content du service.").sentiment).toBe("negative")
    expect(Classifier.classify("pas satisfait", { language: "fr" }).sentiment).toBe("negative")
    expect(Classifier.classify("Je ne l'apprécie guère.", { language: "fr" }).sentimentScore).toBeLessThan(0)
    expect(Classifier.classify("Je suis content du service.").sentiment).toBe("positive")
  })

  it("'pas mal' is mild praise (below the positive threshold), 'pas mal de' only intensifies", () => {
    const praise = Classifier.classify("C'est pas mal.", { language: "fr" })
    expect(praise.matched).toEqual([{ term: "pas mal", weight: 1, kind: "sentiment" }])
    expect(praise.sentimentScore).toBeGreaterThan(0)
    expect(praise.sentiment).toBe("neutral")
    const many = Classifier.classify("Il y a pas mal de problèmes.", { language: "fr" })
    expect(many.matched).toEqual([{ term: "problemes", weight: -1.3, kind: "sentiment" }])
    expect(many.sentiment).toBe("negative")
  })

  it("'ne fonctionne pas' is a complaint, not a negated compliment", () => {
    const c = Classifier.classify("L'export ne fonctionne pas depuis hier.")
    expect(c.sentiment).toBe("negative")
    expect(c.matched.map((m) => m.term)).toEqual(["ne fonctionne pas"])
  })

  it("'pas urgent' lowers urgency instead of raising it", () => {
    expect(Classifier.classify("Ce n'est pas urgent.", { language: "fr" }).urgency).toBe("low")
    expect(Classifier.classify("This is not urgent.").urgency).toBe("low")
  })

  it("matching ignores accents and case", () => {
    const accented = Classifier.classify("Très déçu, c'est bloquant", { language: "fr" })
    const plain = Classifier.classify("tres decu, c est bloquant", { language: "fr" })
    expect(plain).toEqual(accented)
    expect(accented.sentiment).toBe("negative")
    expect(accented.urgency).toBe("high")
  })
})

describe("Classifier.detectLanguage", () => {
  it.each([
    ["Bonjour, je n'arrive pas à me connecter à mon compte depuis hier.", "fr"],
    ["Hello, I cannot log in to my account since yesterday.", "en"],
    ["Merci pour votre aide", "fr"],
    ["", "en"],
    ["12345 !!! ???", "en"],
    ["ASAP", "en"]
  ] as const)("%s -> %s", (text, language) => {
    expect(Classifier.detectLanguage(text)).toBe(language)
  })

  it("a given language skips detection", () => {
    expect(Classifier.classify("Bonjour, c'est urgent", { language: "en" }).language).toBe("en")
    expect(Classifier.classify("Bonjour, c'est urgent").language).toBe("fr")
  })
})

describe("Classifier.tagsFor and isStressful", () => {
  it("tags the stressful labels and nothing for neutral / normal", () => {
    const angry = Classifier.classify("This is unacceptable, the site is down, urgent!")
    expect(Classifier.tagsFor(angry)).toEqual(["sentiment:negative", "urgency:high"])
    expect(Classifier.isStressful(angry)).toBe(true)
    const calm = Classifier.classify("How do I change my email address?")
    expect(Classifier.tagsFor(calm)).toEqual([])
    expect(Classifier.isStressful(calm)).toBe(false)
    expect(Classifier.tagsFor(Classifier.classify("Great, thanks! No rush."))).toEqual([
      "sentiment:positive",
      "urgency:low"
    ])
  })
})

describe("Classifier service", () => {
  it("layerLexicon classifies like the pure function, with and without a language", async () => {
    const text = "Le site est en panne, c'est urgent"
    const [detected, forced] = await Effect.runPromise(
      Effect.gen(function* () {
        const classifier = yield* Classifier.Classifier
        return [yield* classifier.classify(text), yield* classifier.classify(text, "en")] as const
      }).pipe(Effect.provide(Classifier.layerLexicon))
    )
    expect(detected).toEqual(Classifier.classify(text))
    expect(forced).toEqual(Classifier.classify(text, { language: "en" }))
  })

  it("layerLexiconWith uses the lexicons it is given", async () => {
    const custom: Lexicon.Lexicon = { ...Lexicon.english, sentiment: [["meh", -3]], urgency: [] }
    const c = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* (yield* Classifier.Classifier).classify("meh, urgent", "en")
      }).pipe(Effect.provide(Classifier.layerLexiconWith({ lexicons: { en: custom } })))
    )
    expect(c.matched).toEqual([{ term: "meh", weight: -3, kind: "sentiment" }])
    expect(c.urgency).toBe("normal")
  })
})

describe("Lexicon", () => {
  const lists = (l: Lexicon.Lexicon) =>
    [
      ["sentiment", l.sentiment],
      ["urgency", l.urgency]
    ] as const

  it.each([Lexicon.english, Lexicon.french])("$language: weights within -3..3, no term listed twice", (lexicon) => {
    for (const [, list] of lists(lexicon)) {
      const keys = list.map(([term]) => Text.words(term).join(" "))
      expect(new Set(keys).size).toBe(keys.length)
      for (const [, weight] of list) expect(Math.abs(weight)).toBeLessThanOrEqual(3)
    }
    expect(lexicon.sentiment.length).toBeGreaterThanOrEqual(80)
    expect(lexicon.urgency.length).toBeGreaterThanOrEqual(60)
  })
})

// --- properties ----------------------------------------------------------------------------------

const allTerms = [Lexicon.english, Lexicon.french].flatMap((l) => [
  ...l.sentiment.map(([t]) => t),
  ...l.urgency.map(([t]) => t),
  ...l.negators,
  ...l.intensifiers.map(([t]) => t),
  ...l.stopWords
])

// Lone surrogates, combining marks, RTL and zero-width characters, emoji, and lexicon words in
// any case with punctuation between them.
const hostileText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 100 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...allTerms),
        fc.constantFrom(...allTerms).map((t) => t.toUpperCase()),
        fc.constantFrom("!!!", "!", ".", ",", "?", " ", "\n", "n't", "'", "\u0301", "\u200b", "\u202e", "😡", "ﬁ")
      ),
      { maxLength: 40 }
    )
    .map((parts) => parts.join(" "))
)

const language = fc.option(fc.constantFrom<Lexicon.Language>("en", "fr"), { nil: undefined })

describe("Classifier properties", () => {
  it("a classification is always well formed: score in [-1, 1], labels follow the thresholds", () => {
    fc.assert(
      fc.property(hostileText, language, (text, lang) => {
        const c = Classifier.classify(text, lang === undefined ? {} : { language: lang })
        expect(Number.isFinite(c.sentimentScore)).toBe(true)
        expect(Number.isFinite(c.urgencyScore)).toBe(true)
        expect(Math.abs(c.sentimentScore)).toBeLessThanOrEqual(1)
        const expectedSentiment =
          c.sentimentScore <= -Classifier.thresholds.sentiment
            ? "negative"
            : c.sentimentScore >= Classifier.thresholds.sentiment
              ? "positive"
              : "neutral"
        expect(c.sentiment).toBe(expectedSentiment)
        const expectedUrgency =
          c.urgencyScore >= Classifier.thresholds.urgencyHigh
            ? "high"
            : c.urgencyScore <= Classifier.thresholds.urgencyLow
              ? "low"
              : "normal"
        expect(c.urgency).toBe(expectedUrgency)
        expect(["en", "fr"]).toContain(c.language)
        if (lang !== undefined) expect(c.language).toBe(lang)
        for (const m of c.matched) {
          expect(Number.isFinite(m.weight)).toBe(true)
          expect(m.weight).not.toBe(0)
        }
        const urgencySum = c.matched.filter((m) => m.kind === "urgency").reduce((s, m) => s + m.weight, 0)
        expect(c.urgencyScore).toBeCloseTo(urgencySum, 6)
      }),
      { numRuns: 500 }
    )
  })

  it("classification is deterministic: the same text gives the same result", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(Classifier.classify(text)).toEqual(Classifier.classify(text))
      }),
      { numRuns: 300 }
    )
  })

  it("the tags are exactly the non-default labels", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const c = Classifier.classify(text)
        const tags = Classifier.tagsFor(c)
        expect(tags.includes(`sentiment:${c.sentiment}` as never)).toBe(c.sentiment !== "neutral")
        expect(tags.includes(`urgency:${c.urgency}` as never)).toBe(c.urgency !== "normal")
        expect(tags.length).toBe((c.sentiment !== "neutral" ? 1 : 0) + (c.urgency !== "normal" ? 1 : 0))
      }),
      { numRuns: 300 }
    )
  })
})
