// A CommonJS application: the packages load with require() (their CommonJS build, which itself
// requires the ES-module-only effect, as Node 20.19+ allows), and the facade's rejections are the
// tagged errors the package exports.
const { createHelpdesk, PromiseHelpdesk, TicketError } = require("@tessera/core")
const { RuleTriggers } = require("@tessera/rules")
const { SqlStore } = require("@tessera/sql")

const main = async () => {
  console.log(`loaded ${typeof RuleTriggers.make} ${typeof SqlStore.layerUrl}`)
  const helpdesk = await createHelpdesk({ firstPublicId: 100 })
  try {
    const ticket = await helpdesk.open({
      requester: { email: "omar@example.com" },
      subject: "Export my invoices",
      text: "Where can I download my invoices?",
      channel: "web"
    })
    console.log(`opened #${ticket.publicId} ${ticket.status}`)
    try {
      await helpdesk.asSystem("consumer test").get(999)
      console.log("no error")
    } catch (error) {
      const known = PromiseHelpdesk.isHelpdeskError(error)
      console.log(
        `rejected with ${error._tag}, a helpdesk error: ${known}, an instance: ${error instanceof TicketError.TicketNotFound}`
      )
    }
  } finally {
    await helpdesk.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
