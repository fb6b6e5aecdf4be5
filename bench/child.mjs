// Request/reply with a forked child process, for benchmarks that put each party in its own
// process (as in real use): the child answers a message with one carrying the same id.

/** Sends `message` to `child` and resolves with its reply. */
export const ask = (child, message) => new Promise((resolve) => {
  const id = Math.random()
  const onMessage = (reply) => {
    if (reply.id !== id) return
    child.off('message', onMessage)
    resolve(reply)
  }
  child.on('message', onMessage)
  child.send({ ...message, id })
})
