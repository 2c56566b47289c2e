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
 *   // optional: several nodes of one cluster, tried in turn when one cannot be reached
 *   // urls: ['wss://node-1.example.com/ws', 'wss://node-2.example.com/ws'],
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

/**
 * A socket that has not opened by then is given up and the next URL is tried. A node that is down usually
 * refuses at once; one whose machine is gone never answers, and the server keeps a dropped session for only
 * 20 s (its grace period) by default. Only the opening is timed: once open, the server is working on the
 * welcome.
 */
const OPEN_TIMEOUT_MS = 5_000;

/** How long leave() waits for the server to close the socket before closing it itself. */
const LEAVE_TIMEOUT_MS = 3_000;

/** Server frames that are passed on to listeners as they are. */
const FORWARDED_TYPES = new Set(['offer', 'answer', 'candidate', 'message', 'error', 'pong']);

/** The reason given for a peer found gone when a session resumes: the server does not replay presence. */
const RECONCILED_LEAVE_REASON = 'disconnected';

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
 * throwing counts as a failed attempt and the next one is tried after the backoff
 * (on the same URL: a failing hook says nothing about the node).
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
 * - `welcome`: the {@link Welcome} frame, on connect and after each reconnect. With `resumed: true` the
 *   session kept its id and its peer connections stay valid; without, it is a new session (new id) and
 *   everything negotiated before is void.
 * - `peer-joined`: `{peer}`; `peer-left`: `{id, reason, peer}` (`peer` is the record just removed).
 *   After a resumed welcome the client also emits these itself for the differences between the peers it
 *   knew and the welcome's `peers` (the server does not replay the gap): then they carry `reconciled: true`,
 *   and `peer-left` has reason `disconnected`.
 * - `offer`: `{from, sdp}`; `answer`: `{from, sdp}`; `candidate`: `{from, candidate}` (null = end of candidates)
 * - `message`: `{from, data}`; `error`: `{code, message, ref}`; `pong`
 * (these payloads are the server's frames as received)
 * - `resume-failed`: `{code: 'resume-failed', message}`, the server's error frame when a resume was refused;
 *   a fresh `welcome` (new id) follows. Not emitted as `error`.
 * - `close`: `{code, reason, willReconnect, url}`, whenever a socket closes
 * - `state`: `{state}`, one of `connecting`, `open` (welcome received), `reconnecting`, `closed`.
 *   `closed` is final: it also follows a reconnect hook that gave up.
 */
export class SwitchboardClient extends EventTarget {
  /** @type {string[]} */
  #urls;
  /** Index in #urls of the URL the next socket opens. */
  #urlIndex = 0;
  #token;
  #reconnect;
  #socket = null;
  #state = 'closed';
  #welcome = null;
  #peers = new Map();
  /** Peers the last resumed welcome found gone: a late `peer-left` for one of them is not emitted twice. */
  #reconciledAway = new Set();
  /** {resolve, reject} of the socket that waits for its welcome. */
  #pendingWelcome = null;
  #leaving = false;
  /** While connect() tries the URLs: whether another one is left after the current socket. */
  #moreUrlsToTry = false;

  /**
   * @param {object} options
   * @param {string} options.token JWT, sent as the `access_token` query parameter
   * @param {string} [options.url] WebSocket URL, e.g. one behind a load balancer; defaults to `/ws` on the
   *   page's host (wss on https pages)
   * @param {string[]} [options.urls] instead of `url`: the WebSocket URLs of several nodes of one cluster.
   *   The first is tried first; when a socket cannot be opened (or closes before its welcome) the next one
   *   is tried, and after a node's `1001` (going away) reconnecting starts with the next one.
   * @param {ReconnectHook} [options.reconnect] enables reconnecting after an unexpected close
   * @param {ReconnectHook} [options.resumeHook] another name for `reconnect`
   */
  constructor({token, url, urls, reconnect, resumeHook} = {}) {
    super();
    if (!token) throw new TypeError('SwitchboardClient: a token is required');
    this.#urls = socketUrls(url, urls);
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
  /** The WebSocket URL of the current socket, or the one the next socket opens. */
  get url() { return this.#urls[this.#urlIndex]; }
  /** @returns {string[]} every URL this client may use, in the order they are tried */
  get urls() { return [...this.#urls]; }
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
   * Opens the session. With several URLs, each is tried once, in turn, until one welcomes this client; a
   * close code no retry can change (room full, ...) ends the tries at once.
   * @returns {Promise<Welcome>} the welcome frame
   * @throws {ConnectionClosedError} when the socket (the last one tried) closes before welcome
   */
  async connect() {
    if (this.#state !== 'closed') throw new Error(`SwitchboardClient: cannot connect while ${this.#state}`);
    this.#leaving = false;
    this.#setState('connecting');
    for (let tried = 1; ; tried++) {
      this.#moreUrlsToTry = tried < this.#urls.length;
      try {
        return await this.#openSocket(null);
      } catch (error) {
        const tryNext = this.#state === 'connecting' && this.#moreUrlsToTry && !this.#leaving
          && error instanceof ConnectionClosedError && !isFinalCloseCode(error.code);
        if (!tryNext) {
          this.#setState('closed');
          throw error;
        }
        this.#nextUrl();
      }
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

  /**
   * Opens a socket to the current URL; resolves with its welcome, rejects with a ConnectionClosedError when it
   * closes first. Events of a socket given up (timed out, replaced) are ignored.
   */
  #openSocket(resumeToken) {
    return new Promise((resolve, reject) => {
      const url = this.url;
      const socket = new WebSocket(this.#socketUrl(url, resumeToken));
      this.#pendingWelcome = {resolve, reject};
      this.#socket = socket;
      const openTimer = setTimeout(() => {
        if (socket !== this.#socket || socket.readyState !== WebSocket.CONNECTING) return;
        // handled as closed now; its own close event, whenever it comes, is ignored
        this.#onSocketClose(socket, url, {code: 1006, reason: `not open after ${OPEN_TIMEOUT_MS / 1000} s`});
        socket.close();
      }, OPEN_TIMEOUT_MS);
      socket.addEventListener('open', () => clearTimeout(openTimer));
      socket.addEventListener('message', (event) => {
        if (socket === this.#socket) this.#onFrame(event.data);
      });
      socket.addEventListener('close', (event) => {
        clearTimeout(openTimer);
        this.#onSocketClose(socket, url, event);
      });
    });
  }

  #socketUrl(base, resumeToken) {
    const url = new URL(base);
    url.searchParams.set('access_token', this.#token);
    if (resumeToken) url.searchParams.set('resume', resumeToken);
    return url.href;
  }

  #nextUrl() {
    this.#urlIndex = (this.#urlIndex + 1) % this.#urls.length;
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
    else if (frame?.type === 'error' && frame.code === 'resume-failed') this.#emit('resume-failed', frame);
    else if (FORWARDED_TYPES.has(frame?.type)) this.#emit(frame.type, frame);
    else console.debug('switchboard: ignored a frame of unknown type', frame?.type);
  }

  /**
   * A fresh welcome replaces the peers silently (the page starts over). A resumed one is the same session:
   * the peers that came and went while it was away are emitted as peer-joined and peer-left, after the welcome,
   * so that whoever keeps state per peer stays right.
   */
  #onWelcome(welcome) {
    const before = new Map(this.#peers);
    this.#welcome = welcome;
    this.#peers.clear();
    for (const peer of welcome.peers ?? []) this.#peers.set(peer.id, peer);
    this.#reconciledAway.clear();
    const pending = this.#pendingWelcome;
    this.#pendingWelcome = null;
    this.#setState('open');
    this.#emit('welcome', welcome);
    if (welcome.resumed) this.#reconcilePeers(before);
    pending?.resolve(welcome);
  }

  #reconcilePeers(before) {
    for (const [id, peer] of before) {
      if (this.#peers.has(id)) continue;
      this.#reconciledAway.add(id);
      this.#emit('peer-left', {type: 'peer-left', id, reason: RECONCILED_LEAVE_REASON, peer, reconciled: true});
    }
    for (const [id, peer] of this.#peers) {
      if (!before.has(id)) this.#emit('peer-joined', {type: 'peer-joined', peer, reconciled: true});
    }
  }

  #onPeerJoined(frame) {
    this.#reconciledAway.delete(frame.peer.id);
    this.#peers.set(frame.peer.id, frame.peer);
    this.#emit('peer-joined', frame);
  }

  #onPeerLeft(frame) {
    if (!this.#peers.has(frame.id) && this.#reconciledAway.delete(frame.id)) return; // already emitted
    const peer = this.#peers.get(frame.id);
    this.#peers.delete(frame.id);
    this.#emit('peer-left', {...frame, peer});
  }

  #onSocketClose(socket, url, {code, reason}) {
    if (socket !== this.#socket) return; // a socket given up earlier
    this.#socket = null;
    const phase = this.#state;
    // During connect(), connect() itself decides whether to try the next URL.
    const willReconnect = phase === 'connecting'
      ? this.#moreUrlsToTry && !this.#leaving && !isFinalCloseCode(code)
      : phase !== 'closed' && this.#mayReconnect(code);
    this.#pendingWelcome?.reject(new ConnectionClosedError(code, reason));
    this.#pendingWelcome = null;
    this.#emit('close', {code, reason, willReconnect, url});
    if (phase === 'connecting') return;
    if (!willReconnect) this.#setState('closed');
    else if (phase === 'open') this.#reconnectLoop(code);
    // phase 'reconnecting': a failed attempt; the loop goes on
  }

  #mayReconnect(code) {
    return this.#reconnect !== null && !this.#leaving && !isFinalCloseCode(code);
  }

  /**
   * Reconnects after the open session's socket closed with {@code code}: each attempt presents the latest
   * resumeToken, the first on the same URL (the node may be fine, the network not) unless the node said it is
   * going away (1001); each failed attempt moves on to the next URL.
   */
  async #reconnectLoop(code) {
    this.#setState('reconnecting');
    if (code === 1001) this.#nextUrl();
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
        this.#nextUrl();
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

/** The constructor's `url` or `urls`, checked, as a non-empty list. */
function socketUrls(url, urls) {
  if (url != null && urls != null) throw new TypeError('SwitchboardClient: give url or urls, not both');
  const list = urls == null ? [url ?? defaultSocketUrl()] : [...urls];
  if (list.length === 0) throw new TypeError('SwitchboardClient: urls is empty');
  for (const entry of list) {
    let protocol;
    try {
      protocol = new URL(entry).protocol;
    } catch {
      throw new TypeError(`SwitchboardClient: not a URL: ${entry}`);
    }
    if (protocol !== 'ws:' && protocol !== 'wss:') throw new TypeError(`SwitchboardClient: not a ws(s) URL: ${entry}`);
  }
  return list;
}

/**
 * Leave (1000), replaced (4001), kicked (4002), room full (4003), duplicate identity (4004) and resumed on another
 * connection (4005) are outcomes a retry cannot change. Every other close, 4008 (ping timeout: the server stopped
 * hearing us) and 1001 (the node is going away: resume on another) included, is a lost connection worth retrying.
 */
const FINAL_CLOSE_CODES = new Set([1000, 4001, 4002, 4003, 4004, 4005]);

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
