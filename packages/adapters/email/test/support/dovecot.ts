/**
 * A private Dovecot (Debian's `dovecot-imapd`, `/usr/sbin/dovecot`) for the IMAP poller's tests:
 * one instance per test file, from a config generated in a temp folder (no system config read),
 * listening on a free loopback port, plaintext login for one passwd-file user, maildir storage in
 * that folder. `stop` ends exactly the process it started and removes the folder.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { connect, createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"

/** A running Dovecot: where it listens, the user to log in as, and how to stop it. */
export interface Dovecot {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly dir: string
  readonly log: () => string
  readonly stop: () => Promise<void>
}

const binary = "/usr/sbin/dovecot"

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const greets = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.setTimeout(1_000)
    socket.once("data", (data) => {
      socket.destroy()
      resolve(data.toString("utf8").startsWith("* OK"))
    })
    socket.once("error", () => resolve(false))
    socket.once("timeout", () => {
      socket.destroy()
      resolve(false)
    })
  })

/**
 * Starts Dovecot and resolves once it greets on its port; fails (never skips) when the binary is
 * missing or the server does not come up within 15 s, with its log in the message.
 */
export const startDovecot = async (): Promise<Dovecot> => {
  if (!existsSync(binary))
    throw new Error(`${binary} is missing: install Debian's dovecot-imapd (scripts/test-all.sh does)`)
  const dir = mkdtempSync(join(tmpdir(), "tessera-dovecot-"))
  chmodSync(dir, 0o755)
  const port = await freePort()
  const user = "support"
  const password = "secret-password"
  // Mail processes may not run as root; as root they run as `nobody`, otherwise as whoever we are.
  const me = userInfo()
  const mailUid = me.uid === 0 ? 65534 : me.uid
  const mailGid = me.uid === 0 ? 65534 : me.gid
  const mail = join(dir, "mail")
  mkdirSync(mail)
  if (me.uid === 0) chownSync(mail, mailUid, mailGid)
  writeFileSync(join(dir, "users"), `${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${mail}/${user}::\n`)
  const log = join(dir, "dovecot.log")
  const config = join(dir, "dovecot.conf")
  writeFileSync(
    config,
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${log}`,
      `info_log_path = ${log}`,
      "protocols = imap",
      "listen = 127.0.0.1",
      "ssl = no",
      "disable_plaintext_auth = no",
      "auth_mechanisms = plain login",
      ...(me.uid === 0
        ? ["default_internal_user = dovecot", "default_login_user = dovenull"]
        : [`default_internal_user = ${me.username}`, `default_login_user = ${me.username}`]),
      "first_valid_uid = 1",
      "first_valid_gid = 1",
      `mail_location = maildir:${mail}/%u`,
      "mail_fsync = never",
      "passdb {",
      "  driver = passwd-file",
      `  args = scheme=PLAIN username_format=%u ${dir}/users`,
      "}",
      "userdb {",
      "  driver = passwd-file",
      `  args = username_format=%u ${dir}/users`,
      "}",
      "service imap-login {",
      "  inet_listener imap {",
      "    address = 127.0.0.1",
      `    port = ${port}`,
      "  }",
      "  inet_listener imaps {",
      "    port = 0",
      "  }",
      "}",
      "service pop3-login {",
      "  inet_listener pop3 {",
      "    port = 0",
      "  }",
      "}",
      ""
    ].join("\n")
  )
  const child: ChildProcess = spawn(binary, ["-F", "-c", config], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString("utf8")
  })
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString("utf8")
  })
  const readLog = () => (existsSync(log) ? readFileSync(log, "utf8") : "")
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
      child.kill("SIGTERM")
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))])
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    }
    rmSync(dir, { recursive: true, force: true })
  }
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) break
    if (await greets(port)) return { host: "127.0.0.1", port, user, password, dir, log: readLog, stop }
    await new Promise((r) => setTimeout(r, 100))
  }
  const why = `${output}\n${readLog()}`
  await stop()
  throw new Error(`Dovecot did not come up on 127.0.0.1:${port}:\n${why}`)
}
