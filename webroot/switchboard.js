/**
 * Switchboard browser SDK: the client side of the Switchboard signaling
 * protocol, version 1. A plain ES module with no dependencies.
 *
 * @example
 * import {SwitchboardClient, fetchDevToken} from './switchboard.js';
 *
 * const request = {identity: 'alice-7f3k', room: 'standup', role: 'publisher', name: 'Alice'};
 * const client = new SwitchboardClient({
 *   token: await fetchDevToken(request),
 *   reconnect: async (attempt) => (attempt > 5 ? null : {token: await fetchDevToken(request)}),
 * });
 * client.on('offer', ({from, sdp}) => answerTheOffer(from, sdp));
 * const welcome = await client.connect();
 *
 * @module switchboard
 */

/** First and largest pause between reconnect attempts. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/** How long leave() waits for the server to close the socket before closing it itself. */
const LEAVE_TIMEOUT_MS = 3_000;

/** Server frames that are passed on to listeners as they are. */
const FORWARDED_TYPES = new Set(['offer', 'answer', 'candidate', 'message', 'error', 'pong']);

/**
 * A participant as the server describes it in `welcome.peers` and `peer-joined`.
 * @typedef {object} Peer
 * @property {string} id session id, unique across the cluster
 * @property {string} identity the token's `sub`
 * @property {string} [name] display name
 * @property {'publisher'|'viewer'} role
 * @property {object} [meta]
 */

/**
 * The first frame of a session.
 * @typedef {object} Welcome
 * @property {'welcome'} type
 * @property {string} id this session's id
 * @property {string} room
 * @property {string} identity
 * @property {'publisher'|'viewer'} role
 * @property {Peer[]} peers the participants this one may see, not itself
 * @property {RTCIceServer[]} iceServers ready for `new RTCPeerConnection({iceServers})`
 * @property {string} resumeToken
 * @property {string} node the server node holding the session
 * @property {boolean} [resumed] true when a dropped session was resumed with the same id
 */

/**
 * Asked for credentials before each reconnect attempt. Returning null gives up;
 * throwing counts as a failed attempt and the next one is tried after the backoff.
 * @callback ReconnectHook
 * @param {number} attempt 1 for the first attempt after a drop
 * @returns {Promise<{token: string}|null>}
 */

/** The connection closed before the server's `welcome`. */
export class ConnectionClosedError extends Error {
  /**
   * @param {number} code WebSocket close code (1006 when the upgrade was refused or the server is unreachable)
   * @param {string} reason close reason sent by the server, often empty
   */
  constructor(code, reason) {
    super(`connection closed before welcome (${code}${reason ? `: ${reason}` : ''})`);
    this.name = 'ConnectionClosedError';
    this.code = code;
    this.reason = reason;
  }
}

/** A non-2xx answer from a Switchboard HTTP endpoint. */
export class HttpError extends Error {
  /**
   * @param {number} status HTTP status
   * @param {string} message the server's message, or the status text
   */
  constructor(status, message) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/**
 * A signaling session with a Switchboard server.
 *
 * Events (listen with `addEventListener`, the payload in `event.detail`, or
 * with {@link SwitchboardClient#on}, which passes the payload directly):
 * - `welcome`: the {@link Welcome} frame, on connect and after each reconnect
 * - `peer-joined`: `{peer}`; `peer-left`: `{id, reason, peer}` (`peer` is the record just removed)
 * - `offer`: `{from, sdp}`; `answer`: `{from, sdp}`; `candidate`: `{from, candidate}` (null = end of candidates)
 * - `message`: `{from, data}`; `error`: `{code, message, ref}`; `pong`
 * (these payloads are the server's frames as received)
 * - `close`: `{code, reason, willReconnect}`, whenever a socket closes
 * - `state`: `{state}`, one of `connecting`, `open` (welcome received), `reconnecting`, `closed`.
 *   `closed` is final: it also follows a reconnect hook that gave up.
 */
export class SwitchboardClient extends EventTarget {
  #url;
  #token;
  #reconnect;
  #socket = null;
  #state = 'closed';
  #welcome = null;
  #peers = new Map();
  /** {resolve, reject} of the socket that waits for its welcome. */
  #pendingWelcome = null;
  #leaving = false;

  /**
   * @param {object} options
   * @param {string} options.token JWT, sent as the `access_token` query parameter
   * @param {string} [options.url] WebSocket URL; defaults to `/ws` on the page's host (wss on https pages)
   * @param {ReconnectHook} [options.reconnect] enables reconnecting after an unexpected close
   * @param {ReconnectHook} [options.resumeHook] another name for `reconnect`
   */
  constructor({token, url = defaultSocketUrl(), reconnect, resumeHook} = {}) {
    super();
    if (!token) throw new TypeError('SwitchboardClient: a token is required');
    this.#url = url;
    this.#token = token;
    this.#reconnect = reconnect ?? resumeHook ?? null;
  }

  /** @returns {'connecting'|'open'|'reconnecting'|'closed'} */
  get state() { return this.#state; }
  /** This session's id, from the latest welcome; null before it. */
  get id() { return this.#welcome?.id ?? null; }
  get room() { return this.#welcome?.room ?? null; }
  get identity() { return this.#welcome?.identity ?? null; }
  /** @returns {'publisher'|'viewer'|null} */
  get role() { return this.#welcome?.role ?? null; }
  /** @returns {RTCIceServer[]} */
  get iceServers() { return this.#welcome?.iceServers ?? []; }
  /** Presented as `resume=` when reconnecting. */
  get resumeToken() { return this.#welcome?.resumeToken ?? null; }
  /** The server node holding the session. */
  get node() { return this.#welcome?.node ?? null; }
  /** @returns {Welcome|null} the latest welcome frame */
  get welcome() { return this.#welcome; }
  /**
   * The visible participants by session id, kept up to date from welcome,
   * peer-joined and peer-left. Always the same Map object; do not modify it.
   * @returns {Map<string, Peer>}
   */
  get peers() { return this.#peers; }

  /**
   * Adds a listener that receives the event's payload.
   * @param {string} type event name
   * @param {(detail: any) => void} handler
   * @returns {() => void} removes the listener
   */
  on(type, handler) {
    const listener = (event) => handler(event.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /**
   * Opens the session.
   * @returns {Promise<Welcome>} the welcome frame
   * @throws {ConnectionClosedError} when the socket closes before welcome
   */
  async connect() {
    if (this.#state !== 'closed') throw new Error(`SwitchboardClient: cannot connect while ${this.#state}`);
    this.#leaving = false;
    this.#setState('connecting');
    try {
      return await this.#openSocket(null);
    } catch (error) {
      this.#setState('closed');
      throw error;
    }
  }

  /**
   * Leaves the room: the server closes the session with 1000 and tells the
   * others `peer-left` (reason `left`). Stops any reconnecting.
   * @param {string} [ref]
   * @returns {Promise<void>} resolves once the socket is closed
   */
  leave(ref) {
    this.#leaving = true;
    const socket = this.#socket;
    if (this.#state !== 'open') {
      socket?.close(1000);
      this.#setState('closed');
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.close(1000), LEAVE_TIMEOUT_MS);
      socket.addEventListener('close', () => {
        clearTimeout(timer);
        resolve();
      }, {once: true});
      this.#send({type: 'leave'}, ref);
    });
  }

  // Send helpers: each returns true when the frame was handed to the socket,
  // false when no session is open (for example while reconnecting).

  /**
   * @param {string} to peer id
   * @param {string} sdp
   * @param {string} [ref] echoed in an error this frame causes
   * @returns {boolean}
   */
  sendOffer(to, sdp, ref) { return this.#send({type: 'offer', to, sdp}, ref); }

  /**
   * @param {string} to peer id
   * @param {string} sdp
   * @param {string} [ref]
   * @returns {boolean}
   */
  sendAnswer(to, sdp, ref) { return this.#send({type: 'answer', to, sdp}, ref); }

  /**
   * @param {string} to peer id
   * @param {RTCIceCandidate|RTCIceCandidateInit|null} candidate null means end of candidates
   * @param {string} [ref]
   * @returns {boolean}
   */
  sendCandidate(to, candidate, ref) {
    // JSON.stringify sends candidate.toJSON() for an RTCIceCandidate.
    return this.#send({type: 'candidate', to, candidate: candidate ?? null}, ref);
  }

  /**
   * Sends application data to one peer, or to every participant that may see this one.
   * @param {*} data any JSON value (null allowed, undefined not)
   * @param {string} [to] peer id; omit to broadcast
   * @param {string} [ref]
   * @returns {boolean}
   */
  sendMessage(data, to, ref) {
    if (data === undefined) throw new TypeError('sendMessage: data is required');
    const frame = to == null ? {type: 'message', data} : {type: 'message', to, data};
    return this.#send(frame, ref);
  }

  /**
   * Asks the server for a `pong` event.
   * @param {string} [ref]
   * @returns {boolean}
   */
  ping(ref) { return this.#send({type: 'ping'}, ref); }

  #send(frame, ref) {
    if (this.#state !== 'open') return false;
    this.#socket.send(JSON.stringify(ref === undefined ? frame : {...frame, ref}));
    return true;
  }

  #openSocket(resumeToken) {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.#socketUrl(resumeToken));
      this.#pendingWelcome = {resolve, reject};
      socket.addEventListener('message', (event) => this.#onFrame(event.data));
      socket.addEventListener('close', (event) => this.#onSocketClose(event));
      this.#socket = socket;
    });
  }

  #socketUrl(resumeToken) {
    const url = new URL(this.#url);
    url.searchParams.set('access_token', this.#token);
    if (resumeToken) url.searchParams.set('resume', resumeToken);
    return url.href;
  }

  #onFrame(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      console.debug('switchboard: ignored a frame that is not JSON');
      return;
    }
    if (frame?.type === 'welcome') this.#onWelcome(frame);
    else if (frame?.type === 'peer-joined') this.#onPeerJoined(frame);
    else if (frame?.type === 'peer-left') this.#onPeerLeft(frame);
    else if (FORWARDED_TYPES.has(frame?.type)) this.#emit(frame.type, frame);
    else console.debug('switchboard: ignored a frame of unknown type', frame?.type);
  }

  #onWelcome(welcome) {
    this.#welcome = welcome;
    this.#peers.clear();
    for (const peer of welcome.peers ?? []) this.#peers.set(peer.id, peer);
    const pending = this.#pendingWelcome;
    this.#pendingWelcome = null;
    this.#setState('open');
    this.#emit('welcome', welcome);
    pending?.resolve(welcome);
  }

  #onPeerJoined(frame) {
    this.#peers.set(frame.peer.id, frame.peer);
    this.#emit('peer-joined', frame);
  }

  #onPeerLeft(frame) {
    const peer = this.#peers.get(frame.id);
    this.#peers.delete(frame.id);
    this.#emit('peer-left', {...frame, peer});
  }

  #onSocketClose({code, reason}) {
    this.#socket = null;
    // A first connect that fails is reported to the caller of connect() instead.
    const willReconnect = this.#state !== 'connecting' && this.#mayReconnect(code);
    this.#pendingWelcome?.reject(new ConnectionClosedError(code, reason));
    this.#pendingWelcome = null;
    this.#emit('close', {code, reason, willReconnect});
    if (!willReconnect) this.#setState('closed');
    else if (this.#state === 'open') this.#reconnectLoop();
  }

  #mayReconnect(code) {
    return this.#reconnect !== null && !this.#leaving && !isFinalCloseCode(code);
  }

  async #reconnectLoop() {
    this.#setState('reconnecting');
    for (let attempt = 1; this.#state === 'reconnecting'; attempt++) {
      await sleep(backoffDelay(attempt));
      if (this.#state !== 'reconnecting') return; // leave() was called
      let credentials;
      try {
        credentials = await this.#reconnect(attempt);
      } catch (error) {
        console.debug('switchboard: reconnect hook failed, will retry', error);
        continue;
      }
      if (this.#state !== 'reconnecting') return;
      if (!credentials?.token) {
        this.#setState('closed');
        return;
      }
      this.#token = credentials.token;
      try {
        await this.#openSocket(this.resumeToken);
      } catch {
        // The close handler has emitted `close` and set the state that decides whether to go on.
      }
    }
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit('state', {state});
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }
}

/**
 * Asks a server with development tokens enabled for a token (`POST /api/dev/token`).
 * @param {object} request
 * @param {string} request.identity becomes `sub`
 * @param {string} request.room
 * @param {'publisher'|'viewer'} [request.role]
 * @param {string} [request.name] display name
 * @param {number} [request.ttl] lifetime in seconds (server default 3600)
 * @param {string} [request.endpoint] defaults to `/api/dev/token` on the page's origin
 * @returns {Promise<string>} the JWT
 * @throws {HttpError} on a non-2xx answer (404: development tokens are disabled)
 */
export async function fetchDevToken({identity, room, role, name, ttl, endpoint = '/api/dev/token'}) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({identity, room, role, name, ttl}),
  });
  const body = await readJson(response);
  if (!response.ok) {
    throw new HttpError(response.status, body?.message ?? `${response.status} ${response.statusText}`.trim());
  }
  if (typeof body?.token !== 'string') throw new HttpError(response.status, 'the answer holds no token');
  return body.token;
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function defaultSocketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * Leave (1000), replaced (4001), kicked (4002) and room full (4003) are outcomes a retry cannot change. Every other
 * close, 4008 (ping timeout: the server stopped hearing us) included, is a lost connection worth retrying.
 */
const FINAL_CLOSE_CODES = new Set([1000, 4001, 4002, 4003]);

function isFinalCloseCode(code) {
  return FINAL_CLOSE_CODES.has(code);
}

/** Exponential backoff with jitter, so clients dropped together (a node shutting down) do not return together. */
function backoffDelay(attempt) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempt - 1));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
