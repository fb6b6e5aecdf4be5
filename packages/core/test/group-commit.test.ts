import { describe, expect, it, vi } from 'vitest'
import { GroupCommit, SpaceRetry, TidingsError } from '@tidings/core'

describe('GroupCommit', () => {
  it('commits what is submitted in one tick together, and what comes during a commit in the next', async () => {
    const commits: number[][] = []
    let release!: () => void
    const group = new GroupCommit<number>(async (items) => {
      commits.push(items)
      if (commits.length === 1) await new Promise<void>((resolve) => (release = resolve))
    })
    const first = [group.submit(1), group.submit(2)]
    await Promise.resolve()
    await Promise.resolve()
    const later = [group.submit(3), group.submit(4)]
    release()
    await Promise.all([...first, ...later])
    expect(commits).toEqual([[1, 2], [3, 4]])
  })

  it('rejects every submission of a failed commit, and goes on with the next', async () => {
    let fail = true
    const group = new GroupCommit<string>(async () => {
      if (fail) throw new Error('disk gone')
    })
    const failed = [group.submit('a'), group.submit('b')]
    await expect(Promise.all(failed)).rejects.toThrow('disk gone')
    fail = false
    await expect(group.submit('c')).resolves.toBeUndefined()
  })
})

describe('SpaceRetry', () => {
  const full = (error: unknown, wait: number) =>
    (error as Error).message === 'full' ? new TidingsError('E_STORAGE_QUOTA', `full, retry in ${wait} ms`) : undefined

  it('reports each refusal for lack of space and retries with backoff until the write goes through', async () => {
    vi.useFakeTimers()
    const reported: TidingsError[] = []
    const retry = new SpaceRetry((e) => reported.push(e))
    let tries = 0
    const done = retry.run(async () => {
      if (++tries < 3) throw new Error('full')
      return 'written'
    }, full)
    await vi.advanceTimersByTimeAsync(250 + 500)
    await expect(done).resolves.toBe('written')
    expect(reported.map((e) => e.message)).toEqual(['full, retry in 250 ms', 'full, retry in 500 ms'])
    vi.useRealTimers()
  })

  it('throws other errors at once, and gives up after one more try once closed', async () => {
    const retry = new SpaceRetry(() => {})
    await expect(retry.run(async () => { throw new Error('EIO') }, full)).rejects.toThrow('EIO')
    const pending = retry.run(async () => { throw new Error('full') }, full)
    await Promise.resolve()
    retry.close()
    await expect(pending).rejects.toMatchObject({ code: 'E_STORAGE_QUOTA' })
  })
})
