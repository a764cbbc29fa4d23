/**
 * Workflow histories to and from the canonical proto3 JSON that `temporal workflow show --output json`
 * and the Temporal UI download also produce, so a production history can be dropped in here too.
 *
 * Why not `historyToJSON`/`historyFromJSON` from @temporalio/common: this install holds two copies of
 * protobufjs (one under @temporalio/common, one under @temporalio/proto), and protojson refuses a
 * message type built by the other copy ("type must be a Type"). Taking protojson from the copy that
 * @temporalio/proto uses keeps the types and the codec in one instance; `npm dedupe` would make the
 * SDK's helpers work again.
 */
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;
interface Protojson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const protojson: Protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [require.resolve('@temporalio/proto')] }));
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): unknown {
  return protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
}

/** Newer servers add fields; replay only needs the ones it knows. */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
