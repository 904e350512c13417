/**
 * Test helpers for the SMTP listener: a self-signed key pair made with openssl for STARTTLS, and a
 * bare SMTP dialogue over a socket, for the cases a mail library smooths over (a client that does
 * not declare `SIZE`, so the limit must hold while the data streams).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Readable } from "node:stream"

/** A fresh self-signed certificate for `localhost` and its key, PEM. */
export const selfSigned = (): { readonly key: string; readonly cert: string } => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-tls-"))
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem")
      ],
      { stdio: "ignore" }
    )
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Reads a stream to the end as text. */
export const text = async (raw: Readable): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of raw) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString("utf8")
}

/**
 * Speaks SMTP line by line: sends each command and collects the server's final reply line to it
 * (the greeting first). `DATA` content is sent as is after the 354; returns every reply.
 */
export const dialogue = (port: number, steps: ReadonlyArray<string>): Promise<ReadonlyArray<string>> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1")
    const replies: Array<string> = []
    let buffer = ""
    let next = 0
    socket.setEncoding("utf8")
    socket.on("error", reject)
    socket.on("data", (data: string) => {
      buffer += data
      let end = buffer.indexOf("\r\n")
      while (end >= 0) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        end = buffer.indexOf("\r\n")
        // Multi-line replies (`250-...`) end on the line with a space after the code.
        if (/^\d{3}-/.test(line)) continue
        replies.push(line)
        if (next < steps.length) socket.write(steps[next++] ?? "")
        else {
          socket.end()
          resolve(replies)
        }
      }
    })
  })
