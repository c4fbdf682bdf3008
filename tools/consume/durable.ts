/**
 * The durable consumer `sluice consume` pulls from: made when missing (explicit acks, from the
 * saved floor when there is one), checked when present.
 *
 * @module
 */
import { AckPolicy, type ConsumerConfig, type ConsumerInfo, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { errorMessage } from "../../lib/errors.ts";

/** How many messages may be delivered and not yet acked at once. */
const MAX_ACK_PENDING = 1000;

/**
 * Makes the durable consumer `name` on `stream`, or checks the one that is there (its filters
 * must be `filters`; its ack wait is set to `ackWaitMs`). A consumer made again after it was
 * deleted starts after `floor`, so what is on disk is not delivered again. One that holds
 * messages delivered to an earlier run and never acked (that run was killed) is made again from
 * its ack floor, so they come again at once rather than after the ack wait; those that were
 * written are then skipped by their key.
 *
 * @param jsm A JetStream manager.
 * @param stream The stream.
 * @param name The durable name.
 * @param filters Subject filters; none for the whole stream.
 * @param ackWaitMs How long the server waits for an ack before delivering again.
 * @param floor The saved floor (0 when none).
 * @returns What it found or made, as a phrase for the start line.
 * @example
 * ```ts
 * import { openDurable } from "./durable.ts";
 * await openDurable(jsm, "LOGS", "sluice-consume", [], 5000, 0); // "created the durable consumer, 0 messages waiting"
 * ```
 */
export async function openDurable(jsm: JetStreamManager, stream: string, name: string, filters: readonly string[], ackWaitMs: number, floor: number): Promise<string> {
  const ackWait = ackWaitMs * 1e6;
  let info: ConsumerInfo | undefined;
  try {
    info = await jsm.consumers.info(stream, name);
  } catch (err) {
    if (!/consumer not found/i.test(errorMessage(err))) throw err;
  }
  if (info !== undefined) {
    const c = info.config;
    const have = c.filter_subjects ?? (c.filter_subject ? [c.filter_subject] : []);
    if ([...have].sort().join(",") !== [...filters].sort().join(",")) {
      throw new TypeError(`sluice consume: consumer ${name} exists with subjects ${have.join(",") || "(the whole stream)"}, not ${filters.join(",") || "(the whole stream)"}; start it with those --subjects, or give another --name`);
    }
    const waiting = `${info.num_pending} messages waiting, ${info.num_ack_pending} delivered earlier and not acked`;
    if (info.num_ack_pending === 0) {
      if (c.ack_wait !== ackWait) await jsm.consumers.update(stream, name, { ack_wait: ackWait });
      return waiting;
    }
    // this process holds the consumer's lock: whoever those messages went to is gone
    await jsm.consumers.delete(stream, name);
    floor = Math.max(floor, info.ack_floor.stream_seq);
    return `${waiting}; ${await make(jsm, stream, name, filters, ackWait, floor)}`;
  }
  return await make(jsm, stream, name, filters, ackWait, floor);
}

async function make(jsm: JetStreamManager, stream: string, name: string, filters: readonly string[], ackWait: number, floor: number): Promise<string> {
  const config: Partial<ConsumerConfig> = {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    ack_wait: ackWait,
    max_ack_pending: MAX_ACK_PENDING,
    ...(filters.length === 1 ? { filter_subject: filters[0] } : filters.length > 1 ? { filter_subjects: [...filters] } : {}),
    ...(floor > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 } : { deliver_policy: DeliverPolicy.All }),
  };
  const made = await jsm.consumers.add(stream, config);
  if (filters.length > 1 && !made.config.filter_subjects) {
    await jsm.consumers.delete(stream, name);
    throw new TypeError("sluice consume: several --subjects need nats-server 2.10 or later (this server ignores them); run one consume per subject");
  }
  return `created the durable consumer${floor > 0 ? ` from stream sequence ${floor + 1} (after its floor)` : ""}, ${made.num_pending} messages waiting`;
}
