/**
 * What invokeCall, startCall, resumeCall and checkCall share: checking the function, its arguments
 * and the call options, and the call's own signal (caller's signal, deadline, stop watching).
 *
 * @module
 */

import { ArgumentError } from "./errors.ts";
import type { CallOptions } from "./call_types.ts";
import { checkFunctionName, isUncheckedFunction } from "./function_names.ts";
import type { ClientState } from "./client.ts";
import type { CatalogFunction, Product } from "./metadata.ts";
import { findFunction } from "./catalog.ts";
import { callSecrets, deferredRedactor, type Redactor } from "./_redact.ts";
import { prepareCall } from "./_validate.ts";
import { postStatus } from "./_wire.ts";
import { withRetries } from "./_retry.ts";
import type { Status } from "./status.ts";

interface CallTraits {
  readonly readOnly: boolean;
  readonly secretArgs: ReadonlySet<string>;
}

/** Per catalogue entry, made once: a call's traits are looked up for every call sent. */
const traitsByEntry = new WeakMap<CatalogFunction, CallTraits>();

function traitsOf(product: Product, name: string): CallTraits | undefined {
  const fn = findFunction(product, name);
  if (fn === undefined) return undefined;
  let traits = traitsByEntry.get(fn);
  if (traits === undefined) {
    traits = {
      readOnly: fn.readOnly,
      secretArgs: new Set(fn.args.filter((arg) => arg.secret === true).map((arg) => arg.name)),
    };
    traitsByEntry.set(fn, traits);
  }
  return traits;
}

/** How one call goes on the wire. */
export interface CallWire {
  /**
   * The function's name when the call may change state (everything the catalogue does not mark
   * `readOnly`, and every function it does not know): it is then sent at most once, on a
   * connection of its own. `undefined` for a read, which may use the pooled connections.
   */
  readonly once: string | undefined;
  /** The client's redactor plus the call's secret arguments. */
  readonly redactor: Redactor;
}

/**
 * Sends a call's first request: a read (no `wire.once`) again after a transient failure, up to the
 * client's `retries` times, so that a blip (a reset, a proxy's 502/503/504, a timeout before any
 * reply) does not fail it; a call that may change state exactly as given, at most once.
 */
export function sendFirst(
  state: ClientState,
  path: string,
  body: string,
  wire: CallWire,
  signal: AbortSignal | undefined,
): Promise<Status> {
  if (wire.once !== undefined || state.retries === 0) {
    return postStatus(state.wire, path, body, { ...wire, signal });
  }
  return withRetries(
    state.retries,
    [signal, state.wire.signal],
    (retry) => postStatus(state.wire, path, body, { ...wire, signal, retry }),
  );
}

/** The wire options of a call to `name` with this form body. */
export function callWire(state: ClientState, name: string, body: string): CallWire {
  const traits = traitsOf(state.product, name);
  return {
    once: traits?.readOnly === true ? undefined : name,
    redactor: deferredRedactor(state.wire.redactor, () => callSecrets(body, traits?.secretArgs)),
  };
}

/** The function as given: its name, and whether it came through the escape hatch. */
export function resolveFunction(fn: unknown): { name: string; unchecked: boolean } {
  if (isUncheckedFunction(fn)) {
    checkFunctionName(fn.name);
    return { name: fn.name, unchecked: true };
  }
  checkFunctionName(fn);
  return { name: fn, unchecked: false };
}

/** A call checked and encoded, ready to send. */
export interface PreparedCall {
  /** The function's name. */
  readonly name: string;
  /** Whether it came through {@linkcode uncheckedFunction}. */
  readonly unchecked: boolean;
  /** The form body: the arguments encoded, the default instanceID filled in. */
  readonly body: string;
}

/**
 * Checks a call before anything is sent, as every call is checked: the function (a name, or
 * `uncheckedFunction`), then its arguments against the client's metadata (`_validate.ts`).
 * `defaultInstanceID` is the instanceID filled in for a function that takes one and was given none:
 * the client's default when left out, `null` for none.
 *
 * @throws {ArgumentError} For an unknown function or argument, a missing mandatory argument or a
 * value of the wrong type, before anything is sent.
 */
export function prepareFunctionCall(
  state: ClientState,
  fn: unknown,
  args: unknown,
  checkValues: boolean | undefined,
  defaultInstanceID?: string | null,
): PreparedCall {
  const { name, unchecked } = resolveFunction(fn);
  const preparation = defaultInstanceID === undefined
    ? state.preparation
    : { ...state.preparation, defaultInstanceID };
  const body = prepareCall(preparation, name, unchecked, args, checkValues);
  return { name, unchecked, body };
}

/** The checked call options. */
export interface ResolvedCallOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly statusTimeoutMs: number;
  readonly onStatus: ((status: never) => void) | undefined;
}

/** Checks the call options; fills in the client's statusTimeoutMs. */
export function resolveCallOptions(
  options: CallOptions<never> | undefined,
  state: ClientState,
): ResolvedCallOptions {
  if (options === undefined) {
    return {
      signal: undefined,
      timeoutMs: undefined,
      statusTimeoutMs: state.statusTimeoutMs,
      onStatus: undefined,
    };
  }
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError("The call options must be an object.");
  }
  const { signal, timeoutMs, statusTimeoutMs, onStatus } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ArgumentError("signal must be an AbortSignal.");
  }
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !(timeoutMs > 0) || timeoutMs > 2_147_483_647)
  ) {
    throw new ArgumentError("timeoutMs must be a positive number of milliseconds.");
  }
  if (
    statusTimeoutMs !== undefined &&
    (typeof statusTimeoutMs !== "number" || !Number.isInteger(statusTimeoutMs) ||
      statusTimeoutMs < 0 || statusTimeoutMs > 2_147_483_647)
  ) {
    throw new ArgumentError("statusTimeoutMs must be a whole number of milliseconds, 0 or more.");
  }
  if (onStatus !== undefined && typeof onStatus !== "function") {
    throw new ArgumentError("onStatus must be a function.");
  }
  return {
    signal,
    timeoutMs,
    statusTimeoutMs: statusTimeoutMs ?? state.statusTimeoutMs,
    onStatus,
  };
}

/** The signal of one call, and how to release its timer. */
export interface CallSignal {
  readonly signal: AbortSignal | undefined;
  dispose(): void;
}

/**
 * Combines the caller's signal, the call's deadline and an optional "stop watching" signal. Without
 * any of them it is `undefined`, which keeps the plain synchronous call cheap.
 */
export function callSignal(
  label: string,
  options: ResolvedCallOptions,
  stop?: AbortSignal,
): CallSignal {
  const signals: AbortSignal[] = [];
  if (options.signal) signals.push(options.signal);
  if (stop) signals.push(stop);
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.timeoutMs !== undefined) {
    const deadline = new AbortController();
    const ms = options.timeoutMs;
    timer = setTimeout(
      () =>
        deadline.abort(
          new DOMException(
            `${label} did not finish within ${ms} ms (timeoutMs). The server's work goes on; raise the limit or follow it with resumeCall().`,
            "TimeoutError",
          ),
        ),
      ms,
    );
    signals.push(deadline.signal);
  }
  const signal = signals.length === 0
    ? undefined
    : signals.length === 1
    ? signals[0]
    : AbortSignal.any(signals);
  return { signal, dispose: () => clearTimeout(timer) };
}
