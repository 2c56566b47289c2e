/**
 * A full-mesh WebRTC call over a SwitchboardClient: one RTCPeerConnection per
 * remote participant, negotiated with the "perfect negotiation" pattern
 * (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example).
 *
 * Who offers: the newcomer offers to every peer listed in its welcome; the
 * others wait for that offer. Should two offers still cross, the polite side
 * (the one whose session id sorts higher) yields, so glare cannot deadlock.
 */

/**
 * How long an existing participant waits for a newcomer's offer before
 * offering itself, in case the two saw each other's arrival in another order.
 */
const NEWCOMER_OFFER_WAIT_MS = 3_000;

/** One RTCPeerConnection to one remote participant. */
class PeerLink {
  /** @type {RTCPeerConnection} */
  pc;
  /** Everything the remote side sends, for a <video> element. */
  remoteStream = new MediaStream();
  /** The sender of the local video, for replaceTrack; null when sending no video. */
  videoSender = null;

  #client;
  #peerId;
  #polite;
  #onError;
  #makingOffer = false;
  #ignoreOffer = false;
  #answerPending = false;
  /** Remote candidates that arrived before the remote description. */
  #earlyCandidates = [];
  /** Signaling this side could not send (the client was reconnecting): see resync(). */
  #missedDescription = false;
  #missedCandidates = false;
  /** What ICE gathering found, for the report when no path works: see #onIceFailed(). */
  #relayGathered = false;
  #candidateErrors = [];
  #iceRestarted = false;
  #failureReported = false;

  constructor({client, peerId, polite, rtcConfig, onChange, onTrack, onError, onIceFailed}) {
    this.#client = client;
    this.#peerId = peerId;
    this.#polite = polite;
    this.#onError = onError;
    this.pc = new RTCPeerConnection(rtcConfig);
    this.pc.addEventListener('negotiationneeded', () => this.#offer());
    this.pc.addEventListener('icecandidate', ({candidate}) => {
      if (candidate?.type === 'relay') this.#relayGathered = true;
      if (!client.sendCandidate(peerId, candidate)) this.#missedCandidates = true;
    });
    // A STUN or TURN server that did not answer (701: no answer at all, e.g. UDP blocked) or refused (401, ...).
    this.pc.addEventListener('icecandidateerror', ({url, errorCode, errorText}) => {
      this.#candidateErrors.push({url, errorCode, errorText});
    });
    this.pc.addEventListener('track', ({track}) => {
      this.remoteStream.addTrack(track);
      onTrack();
    });
    // Chromium may leave iceConnectionState at 'disconnected' while connectionState turns 'failed': watch both.
    const onStateChange = () => {
      this.#checkFailed(onIceFailed);
      onChange();
    };
    this.pc.addEventListener('connectionstatechange', onStateChange);
    this.pc.addEventListener('iceconnectionstatechange', onStateChange);
  }

  /** Reports a failure once when the connection enters it, again only after it recovered and failed anew. */
  #checkFailed(onIceFailed) {
    const failed = this.pc.connectionState === 'failed' || this.pc.iceConnectionState === 'failed';
    if (failed && !this.#failureReported) this.#onIceFailed(onIceFailed);
    this.#failureReported = failed;
  }

  /**
   * Every candidate pair failed: no network path for media. Reported every time (the page tells the user why),
   * and one ICE restart is tried, for a network that changed; more would only repeat the same failure.
   */
  #onIceFailed(onIceFailed) {
    onIceFailed({
      relayGathered: this.#relayGathered,
      candidateErrors: [...this.#candidateErrors],
      restarting: !this.#iceRestarted,
    });
    if (!this.#iceRestarted) {
      this.#iceRestarted = true;
      this.pc.restartIce();
    }
  }

  /** Sends a local track; remembers the video sender so screen sharing can swap the track. */
  send(track, stream) {
    const sender = this.pc.addTrack(track, stream);
    if (track.kind === 'video') this.videoSender = sender;
  }

  /** Asks to receive a kind of media without sending it, so an offer still carries that m-line. */
  receiveOnly(kind) {
    this.pc.addTransceiver(kind, {direction: 'recvonly'});
  }

  /** Applies a remote offer or answer, answering offers. */
  async acceptDescription(description) {
    const readyForOffer = !this.#makingOffer && (this.pc.signalingState === 'stable' || this.#answerPending);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    this.#ignoreOffer = !this.#polite && offerCollision;
    if (this.#ignoreOffer) return;
    this.#answerPending = description.type === 'answer';
    try {
      // On a collision the polite side's own offer is rolled back implicitly.
      await this.pc.setRemoteDescription(description);
    } finally {
      this.#answerPending = false;
    }
    this.#applyEarlyCandidates();
    if (description.type === 'offer') {
      await this.pc.setLocalDescription();
      this.#sendLocalDescription();
    }
  }

  /** @param {RTCIceCandidateInit|null} candidate null means end of candidates */
  addRemoteCandidate(candidate) {
    if (this.pc.remoteDescription) this.#applyCandidate(candidate);
    else this.#earlyCandidates.push(candidate);
  }

  /**
   * After the session resumed: sends what could not be sent while the client was away. A description is sent
   * again if it is still the current one; missed candidates call for an ICE restart, whose offer carries them all.
   */
  resync() {
    if (this.#missedDescription) {
      this.#missedDescription = false;
      const {signalingState, localDescription} = this.pc;
      const current = signalingState === 'have-local-offer'
        || (signalingState === 'stable' && localDescription?.type === 'answer');
      if (current) this.#sendLocalDescription();
    }
    if (this.#missedCandidates) {
      this.#missedCandidates = false;
      this.pc.restartIce();
    }
  }

  close() {
    this.pc.close();
  }

  async #offer() {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#sendLocalDescription();
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#makingOffer = false;
    }
  }

  // setLocalDescription() without arguments makes whatever the state calls for,
  // so send what was actually made.
  #sendLocalDescription() {
    const {type, sdp} = this.pc.localDescription;
    const sent = type === 'offer'
      ? this.#client.sendOffer(this.#peerId, sdp)
      : this.#client.sendAnswer(this.#peerId, sdp);
    if (!sent) this.#missedDescription = true;
  }

  #applyEarlyCandidates() {
    const early = this.#earlyCandidates;
    this.#earlyCandidates = [];
    early.forEach((candidate) => this.#applyCandidate(candidate));
  }

  #applyCandidate(candidate) {
    // Candidates of an offer this side ignored are expected to fail; others rarely matter.
    this.pc.addIceCandidate(candidate).catch((error) => {
      if (!this.#ignoreOffer) console.debug('mesh: remote candidate rejected', error);
    });
  }
}

/**
 * Events: `linkchange` `{peerId}` (a connection was opened, closed or changed
 * state), `track` `{peerId, stream}` (remote media arrived), `error` `{peerId, error}`,
 * `ice-failed` `{peerId, relayGathered, candidateErrors, restarting}` (no network path
 * for media to that peer: every ICE candidate pair failed; relayGathered: whether this
 * side got a TURN relay candidate at all; candidateErrors: the STUN/TURN servers that
 * failed, as {url, errorCode, errorText}; restarting: an ICE restart follows).
 */
export class MeshCall extends EventTarget {
  #client;
  #media;
  #iceTransportPolicy;
  /** @type {Map<string, PeerLink>} */
  #links = new Map();
  #unsubscribers;
  #offerWaits = new Set();

  /**
   * @param {object} options
   * @param {import('./switchboard.js').SwitchboardClient} options.client created, not yet connected
   * @param {import('./media.js').LocalMedia} options.media sent only while the session's role is publisher
   * @param {RTCIceTransportPolicy} [options.iceTransportPolicy]
   */
  constructor({client, media, iceTransportPolicy = 'all'}) {
    super();
    this.#client = client;
    this.#media = media;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#unsubscribers = [
      client.on('welcome', (welcome) => this.#onWelcome(welcome)),
      client.on('peer-joined', ({peer}) => this.#awaitNewcomerOffer(peer.id)),
      client.on('peer-left', ({id}) => this.#closeLink(id)),
      client.on('offer', (frame) => this.#onDescription(frame)),
      client.on('answer', (frame) => this.#onDescription(frame)),
      client.on('candidate', ({from, candidate}) => this.#links.get(from)?.addRemoteCandidate(candidate)),
    ];
  }

  /** @returns {Map<string, RTCPeerConnection>} a snapshot, by peer id */
  peerConnections() {
    return new Map([...this.#links].map(([peerId, link]) => [peerId, link.pc]));
  }

  /** @returns {RTCPeerConnection|null} */
  peerConnection(peerId) {
    return this.#links.get(peerId)?.pc ?? null;
  }

  /** @returns {MediaStream|null} what the peer sends */
  remoteStream(peerId) {
    return this.#links.get(peerId)?.remoteStream ?? null;
  }

  /** Swaps the outgoing video (camera or screen) on every connection, without renegotiating. */
  replaceVideoTrack(track) {
    const senders = [...this.#links.values()].map((link) => link.videoSender).filter(Boolean);
    return Promise.all(senders.map((sender) => sender.replaceTrack(track)));
  }

  /** Closes every connection and stops listening to the client. */
  close() {
    this.#unsubscribers.forEach((unsubscribe) => unsubscribe());
    this.#offerWaits.forEach(clearTimeout);
    this.#offerWaits.clear();
    this.#closeAllLinks();
  }

  #onWelcome(welcome) {
    // A resumed session keeps its connections: the server replays what was sent to it meanwhile, the client
    // reconciles its peers (peer-left and peer-joined follow this welcome), and each link sends again what it
    // could not send while the client was away.
    if (welcome.resumed) {
      this.#links.forEach((link, peerId) => {
        if (this.#client.peers.has(peerId)) link.resync(); // the others are closed by the peer-left that follows
      });
      return;
    }
    this.#closeAllLinks();
    for (const peerId of this.#client.peers.keys()) this.#openLink(peerId, {initiator: true});
  }

  #awaitNewcomerOffer(peerId) {
    const wait = setTimeout(() => {
      this.#offerWaits.delete(wait);
      if (this.#client.peers.has(peerId) && !this.#links.has(peerId)) this.#openLink(peerId, {initiator: true});
    }, NEWCOMER_OFFER_WAIT_MS);
    this.#offerWaits.add(wait);
  }

  #onDescription({from, type, sdp}) {
    const link = this.#links.get(from) ?? (type === 'offer' ? this.#openLink(from, {initiator: false}) : null);
    if (!link) {
      console.debug('mesh: ignored an answer from a peer without a connection', from);
      return;
    }
    link.acceptDescription({type, sdp}).catch((error) => this.#reportError(from, error));
  }

  #openLink(peerId, {initiator}) {
    const link = new PeerLink({
      client: this.#client,
      peerId,
      polite: this.#client.id > peerId,
      rtcConfig: {iceServers: this.#client.iceServers, iceTransportPolicy: this.#iceTransportPolicy},
      onChange: () => this.#emit('linkchange', {peerId}),
      onTrack: () => this.#emit('track', {peerId, stream: link.remoteStream}),
      onError: (error) => this.#reportError(peerId, error),
      onIceFailed: (detail) => this.#emit('ice-failed', {peerId, ...detail}),
    });
    this.#links.set(peerId, link);
    this.#attachLocalMedia(link, initiator);
    this.#emit('linkchange', {peerId});
    return link;
  }

  // Tracks are added before the remote offer is applied; the offer's m-lines
  // then reuse their transceivers (JSEP), so answering needs no second round.
  // Only an initiator adds receive-only transceivers: an answerer gets them from the offer.
  #attachLocalMedia(link, initiator) {
    const sending = this.#client.role === 'publisher';
    const outgoing = {audio: this.#media.audioTrack, video: this.#media.videoTrack};
    for (const [kind, track] of Object.entries(outgoing)) {
      if (sending && track) link.send(track, this.#media.stream);
      else if (initiator) link.receiveOnly(kind);
    }
  }

  #closeLink(peerId) {
    const link = this.#links.get(peerId);
    if (!link) return;
    link.close();
    this.#links.delete(peerId);
    this.#emit('linkchange', {peerId});
  }

  #closeAllLinks() {
    [...this.#links.keys()].forEach((peerId) => this.#closeLink(peerId));
  }

  #reportError(peerId, error) {
    this.#emit('error', {peerId, error});
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }
}
