/**
 * Group commit: batches that arrive while commits are running wait and go in together, in one
 * transaction and one `COPY`, each answered with its own outcome.
 *
 * @module
 */
import type { KeyedBatch } from "./write.ts";

interface Waiting {
  batch: KeyedBatch;
  resolve(duplicate: boolean): void;
  reject(err: unknown): void;
}

/**
 * Commits batches through `commit` with at most `maxInFlight` transactions at once; the batches
 * that wait meanwhile (up to `maxRecords` records) share the next one. When a shared transaction
 * fails, its batches are committed one by one, so one batch the database refuses never fails the
 * others.
 *
 * @example
 * ```ts
 * import { GroupCommit } from "./group_commit.ts";
 * const group = new GroupCommit(async (batches) => batches.map(() => false));
 * await group.add({ records: [] }); // false: not a duplicate
 * ```
 */
export class GroupCommit {
  readonly #commit: (batches: readonly KeyedBatch[]) => Promise<boolean[]>;
  readonly #maxInFlight: number;
  readonly #maxRecords: number;
  readonly #waiting: Waiting[] = [];
  /** Batches withdrawn while their group's commit ran: skipped if it fails and is retried batch by batch. */
  readonly #withdrawn = new WeakSet<KeyedBatch>();
  #inFlight = 0;

  /**
   * Makes the group.
   *
   * @param commit Commits batches in one transaction; resolves with each one's duplicate flag.
   * @param maxInFlight Transactions at once. @default 4
   * @param maxRecords Records in one transaction (a batch larger than that goes alone). @default 20000
   */
  constructor(commit: (batches: readonly KeyedBatch[]) => Promise<boolean[]>, maxInFlight = 4, maxRecords = 20_000) {
    this.#commit = commit;
    this.#maxInFlight = maxInFlight;
    this.#maxRecords = maxRecords;
  }

  /**
   * Commits a batch with whatever waits beside it.
   *
   * @param batch The records and their key.
   * @returns Whether its key was committed before (nothing written then).
   * @example
   * ```ts ignore
   * const duplicate = await group.add({ records, key });
   * ```
   */
  add(batch: KeyedBatch): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ batch, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Takes `batch` back if its commit has not started: true when it was still waiting (nothing of
   * it will be written; its `add` never settles). A request that gave up on its commit frees it.
   * One in a shared commit that is running is not taken back (false), but if that commit fails
   * it is not retried on its own.
   *
   * @param batch The batch given to {@linkcode GroupCommit.add}.
   * @returns Whether it was withdrawn.
   * @example
   * ```ts
   * const batch = { records };
   * void group.add(batch);
   * group.withdraw(batch); // true unless its commit already began
   * ```
   */
  withdraw(batch: KeyedBatch): boolean {
    const i = this.#waiting.findIndex((w) => w.batch === batch);
    if (i >= 0) this.#waiting.splice(i, 1);
    else this.#withdrawn.add(batch); // a shared commit that fails retries its batches one by one: not this one
    return i >= 0;
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      let n = 0;
      let take = 0;
      while (take < this.#waiting.length && (take === 0 || n + this.#waiting[take].batch.records.length <= this.#maxRecords)) n += this.#waiting[take++].batch.records.length;
      const group = this.#waiting.splice(0, take);
      this.#inFlight++;
      void this.#run(group).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #run(group: Waiting[]): Promise<void> {
    try {
      const duplicate = await this.#commit(group.map((w) => w.batch));
      group.forEach((w, i) => w.resolve(duplicate[i]));
    } catch (err) {
      if (group.length === 1) return group[0].reject(err);
      // one by one: a batch the database refuses fails alone
      for (const w of group) {
        if (this.#withdrawn.has(w.batch)) continue; // its request gave up: never written
        try {
          w.resolve((await this.#commit([w.batch]))[0]);
        } catch (e) {
          w.reject(e);
        }
      }
    }
  }
}
