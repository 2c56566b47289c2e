/**
 * Switchboard demo page: a mesh video call on the SDK in switchboard.js.
 *
 * URL parameters: room, name, role=viewer (prefill the form), autojoin=1 (join
 * at once: with the token from the fragment, else a development token),
 * relay=1 (relay-only ICE, through TURN). A token minted elsewhere can come in
 * the fragment, #token=<jwt>: the fragment never reaches a server or its logs.
 * The fragment may also list the WebSocket URLs of several nodes of a cluster,
 * #nodes=ws://host:8080/ws,ws://host:8081/ws: the SDK moves to the next one
 * when a node cannot be reached, so the call survives a node going down.
 *
 * Test hooks for the browser test, on window.switchboardDemo:
 *   client           the SwitchboardClient of the current call, null on the join form
 *   peerConnections  Map peer id -> RTCPeerConnection of the current call (a snapshot)
 *   state()          {joined, id, node, resumed, clientState, peers: [{id, identity, connectionState}]}
 *                    (connectionState is null for a peer without a connection; resumed: the latest
 *                    welcome resumed the session)
 *   stats()          Promise of {[peer id]: {connectionState, framesDecoded, bytesReceived,
 *                      selectedCandidatePair: {localCandidateType, remoteCandidateType,
 *                      localRelayProtocol} | null}}
 *                    where framesDecoded sums the inbound-rtp video stats and bytesReceived all inbound-rtp;
 *                    localRelayProtocol is how the local relay candidate reaches its TURN server ('udp', 'tcp'
 *                    or 'tls'), null for other candidate types or when the browser does not report it
 */
import {ConnectionClosedError, HttpError, SwitchboardClient, fetchDevToken} from './switchboard.js';
import {LocalMedia} from './media.js';
import {MeshCall} from './mesh.js';

const CHAT_MAX_LENGTH = 2000;
const MAX_RECONNECT_ATTEMPTS = 8;

const CLOSE_DESCRIPTIONS = new Map([
  [1000, 'left the room'],
  [1001, 'the server is shutting down'],
  [1006, 'connection lost'],
  [1008, 'closed by server policy (too many or too large messages)'],
  [1009, 'a message was too large'],
  [4001, 'replaced by a newer session with the same identity'],
  [4002, 'removed by an administrator'],
  [4003, 'the room is full'],
  [4004, 'this identity is already in the room'],
  [4005, 'the session was resumed on another connection'],
  [4008, 'the server stopped hearing from this page'],
]);

const urlParams = new URLSearchParams(location.search);
const iceTransportPolicy = urlParams.get('relay') === '1' ? 'relay' : 'all';
/** WebSocket URLs of the cluster's nodes from the #nodes= fragment; null: the page's own host. */
let nodeUrls = null;

const byId = (id) => document.getElementById(id);
const ui = {
  status: byId('status'),
  joinForm: byId('join-form'),
  room: byId('room'),
  name: byId('name'),
  role: byId('role'),
  token: byId('token'),
  joinButton: byId('join'),
  call: byId('call'),
  tiles: byId('tiles'),
  localTile: byId('local-tile'),
  localVideo: byId('local-video'),
  localCaption: byId('local-caption'),
  mediaControls: byId('media-controls'),
  mic: byId('mic'),
  camera: byId('camera'),
  screen: byId('screen'),
  leave: byId('leave'),
  participants: byId('participants'),
  chatLog: byId('chat-log'),
  chatForm: byId('chat-form'),
  chatText: byId('chat-text'),
  remoteTileTemplate: byId('remote-tile-template'),
};

/**
 * The call in progress; null on the join form.
 * @type {null | {client: SwitchboardClient, mesh: MeshCall, media: LocalMedia, ownName: string,
 *   joined: boolean, lastClose: string, resumeFailure: string, tiles: Map<string, HTMLElement>,
 *   unsubscribers: Function[]}}
 */
let call = null;

// ---- joining and leaving ----

async function join({room, name, role, pastedToken}) {
  setJoining(true);
  setStatus('Joining…');
  try {
    const tokenSource = createTokenSource({room, name, role, pastedToken});
    const token = await tokenSource();
    const claims = pastedToken ? tokenClaims(pastedToken) : {name, role};
    const media = new LocalMedia();
    const mediaNotice = (claims.role ?? 'publisher') === 'publisher' ? await openCamera(media) : '';
    call = startCall({token, tokenSource, media, ownName: claims.name ?? ''});
    const welcome = await call.client.connect();
    enterCall(welcome, mediaNotice);
  } catch (error) {
    endCall(describeJoinError(error), {error: true});
  } finally {
    setJoining(false);
  }
}

/** Where tokens come from, for joining and again for each reconnect. */
function createTokenSource({room, name, role, pastedToken}) {
  if (pastedToken) return async () => pastedToken;
  const request = {identity: uniqueIdentity(name), room, role, name};
  return () => fetchDevToken(request);
}

/** The display name plus a random suffix, so two tabs with the same name are two participants. */
function uniqueIdentity(name) {
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), (byte) => byte.toString(16).padStart(2, '0'));
  return `${name.slice(0, 119)}-${suffix.join('')}`;
}

/** Reads a JWT's claims without verifying it: only to know the name and whether to open the camera. */
function tokenClaims(token) {
  try {
    const base64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

/** @returns {Promise<string>} a notice when the call goes on receive-only */
async function openCamera(media) {
  try {
    await media.start();
    return '';
  } catch (error) {
    return `No camera or microphone (${error.message}): receiving only.`;
  }
}

function startCall({token, tokenSource, media, ownName}) {
  const client = new SwitchboardClient({
    token,
    ...(nodeUrls ? {urls: nodeUrls} : {}),
    reconnect: async (attempt) => (attempt > MAX_RECONNECT_ATTEMPTS ? null : {token: await tokenSource()}),
  });
  // The mesh listens before connect(), so it sees the first welcome.
  const mesh = new MeshCall({client, media, iceTransportPolicy});
  mesh.addEventListener('linkchange', renderParticipants);
  mesh.addEventListener('track', ({detail}) => showRemoteTile(detail.peerId));
  mesh.addEventListener('error', ({detail}) => {
    setStatus(`Media connection with ${peerName(detail.peerId)} failed: ${detail.error.message}`, {error: true});
  });
  mesh.addEventListener('ice-failed', ({detail}) => setStatus(describeIceFailure(detail), {error: true}));
  const unsubscribers = [
    client.on('welcome', onWelcome),
    client.on('peer-joined', onPeerJoined),
    client.on('peer-left', onPeerLeft),
    client.on('message', onMessage),
    client.on('error', ({code, message}) => setStatus(`Server error ${code}${message ? `: ${message}` : ''}`,
      {error: true})),
    // not an error for the page: a fresh welcome follows, handled like any other
    client.on('resume-failed', ({message}) => { call.resumeFailure = message ?? ''; }),
    client.on('close', onClose),
    client.on('state', onStateChange),
  ];
  return {client, mesh, media, ownName, joined: false, lastClose: '', resumeFailure: '', tiles: new Map(),
    unsubscribers};
}

function enterCall(welcome, mediaNotice) {
  // A pasted token may say viewer whatever the form said: viewers send nothing.
  if (welcome.role !== 'publisher') call.media.stop();
  call.ownName ||= welcome.identity;
  call.joined = true;
  ui.joinForm.hidden = true;
  ui.call.hidden = false;
  ui.localCaption.textContent = `You (${call.ownName})`;
  showLocalPreview();
  updateControls();
  renderParticipants();
  renderRemoteTiles();
  setStatus(`Joined room ${welcome.room} as ${welcome.role} (node ${welcome.node}). ${mediaNotice}`.trim());
}

/** Tears the call down, whatever state it is in, and returns to the form. */
function endCall(message, {error = false} = {}) {
  if (call) {
    const {client, mesh, media, unsubscribers} = call;
    unsubscribers.forEach((unsubscribe) => unsubscribe());
    mesh.close();
    media.stop();
    client.leave();
    call = null;
  }
  ui.tiles.querySelectorAll('.tile.remote').forEach((tile) => tile.remove());
  ui.localVideo.srcObject = null;
  ui.participants.replaceChildren();
  ui.chatLog.replaceChildren();
  ui.call.hidden = true;
  ui.joinForm.hidden = false;
  setStatus(message, {error});
}

// ---- signaling events ----

/**
 * After a reconnect. Resumed: the same session, the mesh keeps its connections, and the SDK has emitted
 * peer-left / peer-joined for whoever came or went meanwhile. Fresh (the resume was refused or too late): a
 * new session, which the mesh renegotiates from scratch; the participants and tiles are redrawn from the
 * welcome's peers.
 */
function onWelcome(welcome) {
  if (!call.joined) return; // enterCall() handles the first one
  if (welcome.resumed) {
    setStatus(`Reconnected to node ${welcome.node}: session resumed.`);
  } else {
    const why = call.resumeFailure ? ` (the session could not be resumed: ${call.resumeFailure})` : '';
    setStatus(`Reconnected to node ${welcome.node} as a new session${why}.`);
  }
  call.resumeFailure = '';
  renderParticipants();
  renderRemoteTiles();
}

function onPeerJoined({peer}) {
  appendChatLine(null, `${displayName(peer)} joined as ${peer.role}.`);
  renderParticipants();
  renderRemoteTiles();
}

function onPeerLeft({id, peer, reason, reconciled}) {
  const when = reconciled ? ' while this page was reconnecting' : '';
  appendChatLine(null, `${peer ? displayName(peer) : id} left${when} (${reason}).`);
  renderParticipants();
  renderRemoteTiles();
}

function onClose({code, reason, willReconnect}) {
  call.lastClose = describeClose(code, reason);
  if (willReconnect) setStatus(`Disconnected: ${call.lastClose}. Reconnecting…`, {error: true});
}

function onStateChange({state}) {
  if (state === 'closed' && call.joined) endCall(`Disconnected: ${call.lastClose}.`, {error: true});
}

// ---- chat ----

function onMessage({from, data}) {
  if (data?.kind !== 'chat' || typeof data.text !== 'string') return;
  appendChatLine(peerName(from), data.text.slice(0, CHAT_MAX_LENGTH));
}

function onChatSubmit(event) {
  event.preventDefault();
  const text = ui.chatText.value.trim().slice(0, CHAT_MAX_LENGTH);
  if (!text || !call) return;
  if (call.client.sendMessage({kind: 'chat', text})) {
    appendChatLine('You', text);
    ui.chatText.value = '';
  } else {
    setStatus('Not connected: the message was not sent.', {error: true});
  }
}

/** @param {string|null} author null for a notice from the page itself */
function appendChatLine(author, text) {
  const line = document.createElement('li');
  if (author === null) {
    line.className = 'notice';
  } else {
    const authorElement = document.createElement('strong');
    authorElement.textContent = `${author}: `;
    line.append(authorElement);
  }
  line.append(text);
  ui.chatLog.append(line);
  ui.chatLog.scrollTop = ui.chatLog.scrollHeight;
}

// ---- participants and video tiles ----

function renderParticipants() {
  if (!call) return;
  const {client, mesh} = call;
  const items = [participantItem(`${call.ownName} (you)`, client.role, null)];
  for (const peer of client.peers.values()) {
    items.push(participantItem(displayName(peer), peer.role, mesh.peerConnection(peer.id)));
  }
  ui.participants.replaceChildren(...items);
}

/** @param {RTCPeerConnection|null} pc null for oneself */
function participantItem(name, role, pc) {
  const item = document.createElement('li');
  const nameElement = document.createElement('span');
  nameElement.className = 'participant-name';
  nameElement.textContent = name;
  const detail = document.createElement('span');
  detail.className = 'participant-detail';
  detail.textContent = pc ? `${role} · ${pc.connectionState} · ICE ${pc.iceConnectionState}` : role;
  if (pc) item.dataset.connection = pc.connectionState;
  item.append(nameElement, detail);
  return item;
}

/** One tile per remote publisher (and per peer that sends media anyway). */
function renderRemoteTiles() {
  const {client, tiles} = call;
  for (const [peerId, tile] of tiles) {
    if (client.peers.has(peerId)) continue;
    tile.remove();
    tiles.delete(peerId);
  }
  for (const peer of client.peers.values()) {
    if (peer.role === 'publisher') showRemoteTile(peer.id);
  }
}

function showRemoteTile(peerId) {
  const tile = call.tiles.get(peerId) ?? createRemoteTile(peerId);
  tile.querySelector('figcaption').textContent = peerName(peerId);
  const video = tile.querySelector('video');
  const stream = call.mesh.remoteStream(peerId);
  if (stream && video.srcObject !== stream) {
    video.srcObject = stream;
    playWithSoundIfAllowed(video, tile.querySelector('.unmute'));
  }
}

function createRemoteTile(peerId) {
  const tile = ui.remoteTileTemplate.content.firstElementChild.cloneNode(true);
  const video = tile.querySelector('video');
  const unmute = tile.querySelector('.unmute');
  unmute.addEventListener('click', () => {
    video.muted = false;
    unmute.hidden = true;
  });
  call.tiles.set(peerId, tile);
  ui.tiles.append(tile);
  return tile;
}

/** Browsers refuse autoplay with sound before a user gesture (autojoin): then play muted and offer sound. */
async function playWithSoundIfAllowed(video, unmuteButton) {
  try {
    await video.play();
  } catch (error) {
    if (error.name !== 'NotAllowedError') return;
    video.muted = true;
    unmuteButton.hidden = false;
    await video.play().catch((retryError) => console.debug('demo: muted playback refused', retryError));
  }
}

function showLocalPreview() {
  const track = call.media.videoTrack;
  ui.localTile.hidden = !track;
  ui.localTile.classList.toggle('mirrored', !call.media.sharingScreen);
  ui.localVideo.srcObject = track ? new MediaStream([track]) : null;
}

// ---- local media controls ----

function updateControls() {
  const {media} = call;
  ui.mediaControls.hidden = media.stream === null;
  ui.mic.textContent = media.audioEnabled ? 'Mute microphone' : 'Unmute microphone';
  ui.camera.textContent = media.videoEnabled ? 'Turn video off' : 'Turn video on';
  ui.screen.textContent = media.sharingScreen ? 'Stop sharing' : 'Share screen';
  ui.screen.hidden = !navigator.mediaDevices?.getDisplayMedia;
}

function toggleMicrophone() {
  call.media.setAudioEnabled(!call.media.audioEnabled);
  updateControls();
}

function toggleVideo() {
  call.media.setVideoEnabled(!call.media.videoEnabled);
  updateControls();
}

async function toggleScreenShare() {
  const {media} = call;
  if (media.sharingScreen) {
    await sendVideo(media.stopScreenShare());
    return;
  }
  try {
    const screen = await media.startScreenShare(() => {
      if (call?.media === media && media.sharingScreen) sendVideo(media.stopScreenShare());
    });
    if (call?.media !== media) {
      media.stop(); // the call ended while the screen picker was open
      return;
    }
    await sendVideo(screen);
  } catch (error) {
    setStatus(`Screen sharing did not start: ${error.message}`, {error: true});
  }
}

async function sendVideo(track) {
  showLocalPreview();
  updateControls();
  await call.mesh.replaceVideoTrack(track);
}

// ---- status and naming ----

/**
 * What the user reads when no network path for media was found to a peer (ICE failed). Signaling works (the
 * page is in the room), so the usual cause is a firewall that lets the page's HTTPS through but not the media:
 * UDP blocked, and no TURN server reachable over TCP/TLS.
 */
function describeIceFailure({peerId, relayGathered, candidateErrors}) {
  const who = peerName(peerId);
  const failedServers = [...new Set(candidateErrors.map(({url}) => url).filter(Boolean))];
  const servers = failedServers.length ? ` (no answer from ${failedServers.join(', ')})` : '';
  if (!relayGathered) {
    return `No media connection with ${who}: this network blocks the call's media, and the TURN relay could not `
      + `be reached${servers}. A firewall probably blocks UDP: TURN over TLS on port 443 (turns:) would get `
      + 'through. Ask the operator of this service.';
  }
  return `No media connection with ${who}: no network path was found, not even through the TURN relay. `
    + 'The other side\'s network may block it.';
}

function setStatus(text, {error = false} = {}) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
}

function setJoining(busy) {
  ui.joinButton.disabled = busy;
  ui.joinForm.setAttribute('aria-busy', String(busy));
}

function describeClose(code, reason) {
  const description = CLOSE_DESCRIPTIONS.get(code) ?? 'connection closed';
  return `${description} (code ${code}${reason ? `, ${reason}` : ''})`;
}

function describeJoinError(error) {
  if (error instanceof HttpError && error.status === 404) {
    return 'Development tokens are disabled on this server: paste a token to join.';
  }
  if (error instanceof HttpError) return `No development token (HTTP ${error.status}): ${error.message}`;
  if (error instanceof ConnectionClosedError && error.code === 1006) {
    return 'Could not join: the server refused the token or cannot be reached.';
  }
  if (error instanceof ConnectionClosedError) return `Could not join: ${describeClose(error.code, error.reason)}.`;
  return `Could not join: ${error.message}`;
}

function displayName(peer) {
  return peer.name || peer.identity;
}

function peerName(peerId) {
  const peer = call?.client.peers.get(peerId);
  return peer ? displayName(peer) : peerId;
}

// ---- the join form ----

function prefillForm() {
  ui.room.value = urlParams.get('room') ?? '';
  ui.name.value = urlParams.get('name') ?? '';
  if (urlParams.get('role') === 'viewer') ui.role.value = 'viewer';
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has('nodes')) nodeUrls = parseNodeUrls(fragment.get('nodes'));
  if (fragment.has('token')) {
    ui.token.value = fragment.get('token');
    // out of the address bar, so that sharing the page's address does not share the token
    const rest = nodeUrls ? `#nodes=${nodeUrls.join(',')}` : '';
    history.replaceState(null, '', location.pathname + location.search + rest);
    onTokenInput();
  }
}

/** The comma-separated URLs of #nodes=, null for none. The SDK checks them: a bad one fails the join, saying why. */
function parseNodeUrls(text) {
  const urls = text.split(',').map((url) => url.trim()).filter(Boolean);
  return urls.length > 0 ? urls : null;
}

/** A pasted token carries room and name, so the fields are needed only without one. */
function onTokenInput() {
  const pasted = ui.token.value.trim() !== '';
  ui.room.required = !pasted;
  ui.name.required = !pasted;
}

function onJoinSubmit(event) {
  event.preventDefault();
  join({
    room: ui.room.value.trim(),
    name: ui.name.value.trim(),
    role: ui.role.value,
    pastedToken: ui.token.value.trim(),
  });
}

// ---- test hooks (see the top of this file) ----

function demoState() {
  if (!call) return {joined: false, id: null, node: null, resumed: false, clientState: 'closed', peers: []};
  const {client, mesh} = call;
  return {
    joined: call.joined && client.state === 'open',
    id: client.id,
    node: client.node,
    resumed: client.welcome?.resumed === true,
    clientState: client.state,
    peers: [...client.peers.values()].map((peer) => ({
      id: peer.id,
      identity: peer.identity,
      connectionState: mesh.peerConnection(peer.id)?.connectionState ?? null,
    })),
  };
}

function currentPeerConnections() {
  return call ? call.mesh.peerConnections() : new Map();
}

async function demoStats() {
  const entries = await Promise.all([...currentPeerConnections()].map(async ([peerId, pc]) => {
    const report = await pc.getStats();
    return [peerId, {
      connectionState: pc.connectionState,
      framesDecoded: sumVideoFramesDecoded(report),
      bytesReceived: sumBytesReceived(report),
      selectedCandidatePair: selectedCandidatePair(report),
    }];
  }));
  return Object.fromEntries(entries);
}

function sumVideoFramesDecoded(report) {
  let frames = 0;
  for (const stat of report.values()) {
    if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0;
  }
  return frames;
}

function sumBytesReceived(report) {
  let bytes = 0;
  for (const stat of report.values()) {
    if (stat.type === 'inbound-rtp') bytes += stat.bytesReceived ?? 0;
  }
  return bytes;
}

function selectedCandidatePair(report) {
  const stats = [...report.values()];
  const transport = stats.find((stat) => stat.type === 'transport' && stat.selectedCandidatePairId);
  // Firefox reports no transport; it marks the selected pair itself.
  const pair = transport
    ? report.get(transport.selectedCandidatePairId)
    : stats.find((stat) => stat.type === 'candidate-pair' && stat.selected);
  if (!pair) return null;
  return {
    localCandidateType: report.get(pair.localCandidateId)?.candidateType ?? null,
    remoteCandidateType: report.get(pair.remoteCandidateId)?.candidateType ?? null,
    localRelayProtocol: report.get(pair.localCandidateId)?.relayProtocol ?? null,
  };
}

window.switchboardDemo = {
  get client() { return call?.client ?? null; },
  get peerConnections() { return currentPeerConnections(); },
  state: demoState,
  stats: demoStats,
};

// ---- start ----

ui.joinForm.addEventListener('submit', onJoinSubmit);
ui.token.addEventListener('input', onTokenInput);
ui.chatForm.addEventListener('submit', onChatSubmit);
ui.mic.addEventListener('click', toggleMicrophone);
ui.camera.addEventListener('click', toggleVideo);
ui.screen.addEventListener('click', toggleScreenShare);
ui.leave.addEventListener('click', () => endCall('You left the room.'));
// Leaving explicitly spares the others the server's grace period for a dropped session.
window.addEventListener('pagehide', () => call?.client.leave());

prefillForm();
if (urlParams.get('autojoin') === '1') ui.joinForm.requestSubmit();
