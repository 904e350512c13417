/**
 * The XSS corpus of #16, sanitised by `Html.sanitize`, rendered in headless Chromium: for every
 * payload no script runs (the payloads call `xss()`, open dialogs or log) and no request leaves
 * the page (every request is routed, counted and aborted). The same harness on one raw payload
 * must see both, so a harness that had gone blind would fail here rather than pass.
 */
import { type Browser, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Html from "../../src/values/Html.js"
import { xssCorpus } from "./xssCorpus.js"

let browser: Browser

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] })
}, 30_000)

afterAll(async () => {
  await browser?.close()
})

const harness = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><script>
    window.__ran = 0
    window.xss = () => { window.__ran++ }
  </script></head><body>${body}</body></html>`

interface Observed {
  readonly ran: number
  readonly dialogs: number
  readonly console: ReadonlyArray<string>
  readonly requests: ReadonlyArray<string>
}

// Chromium reports an image it cannot fetch, `cid:` ones included (an app maps them to attachment
// URLs): that is no request leaving the page, and no script.
const unfetchable = /^Failed to load resource: net::ERR_UNKNOWN_URL_SCHEME$/

/**
 * A page that renders bodies one after the other and reports what each did: every request is
 * routed (counted, then aborted), dialogs and console messages are counted.
 */
const observer = async () => {
  const page = await browser.newPage()
  let requests: Array<string> = []
  let console: Array<string> = []
  let dialogs = 0
  await page.route("**/*", (route) => {
    requests.push(route.request().url())
    return route.abort()
  })
  page.on("request", (request) => {
    if (!requests.includes(request.url()) && !request.url().startsWith("cid:")) requests.push(request.url())
  })
  page.on("dialog", (dialog) => {
    dialogs++
    void dialog.dismiss()
  })
  page.on("console", (message) => {
    if (!unfetchable.test(message.text())) console.push(message.text())
  })
  const render = async (body: string): Promise<Observed> => {
    requests = []
    console = []
    dialogs = 0
    await page.setContent(harness(body), { waitUntil: "load" })
    // onerror, ontoggle, animations and focus handlers run after load.
    await page.waitForTimeout(40)
    await page.mouse.move(5, 5)
    await page.mouse.click(5, 5)
    await page.waitForTimeout(10)
    const ran = await page.evaluate(() => (globalThis as unknown as { __ran: number }).__ran)
    return { ran, dialogs, console, requests }
  }
  return { render, close: () => page.close() }
}

/** Renders `body` on a fresh page, lets handlers, animations and autofocus fire, and reports. */
const render = async (body: string): Promise<Observed> => {
  const page = await observer()
  try {
    return await page.render(body)
  } finally {
    await page.close()
  }
}

describe("sanitised XSS payloads in Chromium", () => {
  it("the harness sees a script run and a request leave when the HTML is not sanitised", async () => {
    const observed = await render(
      `<img src="http://attacker.test/p.gif"><img src=x onerror="xss()"><script>alert(1)</script>`
    )
    expect(observed.ran).toBeGreaterThan(0)
    expect(observed.dialogs).toBe(1)
    expect(observed.requests.some((url) => url.startsWith("http://attacker.test/"))).toBe(true)
  })

  it("no sanitised payload runs a script, opens a dialog, logs, or sends a request", async () => {
    // All payloads on one page first (fast); each alone only to name the culprits of a failure.
    const all = await render(xssCorpus.map((payload) => `<section>${Html.sanitize(payload.html)}</section>`).join("\n"))
    if (all.ran === 0 && all.dialogs === 0 && all.console.length === 0 && all.requests.length === 0) return
    const failures: Array<string> = [`all together: ${JSON.stringify(all)}`]
    for (const payload of xssCorpus) {
      const observed = await render(Html.sanitize(payload.html))
      if (observed.ran > 0 || observed.dialogs > 0 || observed.console.length > 0 || observed.requests.length > 0)
        failures.push(`${payload.family}/${payload.name}: ${JSON.stringify(observed)}`)
    }
    expect(failures).toEqual([])
  }, 60_000)

  it("each sanitised payload alone runs nothing and requests nothing", async () => {
    // Alone, a payload cannot lean on its neighbours' markup. One page renders them in turn.
    const page = await observer()
    try {
      for (const payload of xssCorpus) {
        expect(await page.render(Html.sanitize(payload.html)), `${payload.family}/${payload.name}`).toEqual({
          ran: 0,
          dialogs: 0,
          console: [],
          requests: []
        })
      }
    } finally {
      await page.close()
    }
  }, 60_000)

  it("inline cid: images and links render without a request", async () => {
    const observed = await render(
      Html.sanitize('<p>Logo: <img src="cid:logo@example.com" alt="logo"> <a href="https://example.com">site</a></p>')
    )
    expect(observed).toEqual({ ran: 0, dialogs: 0, console: [], requests: [] })
  })
})
