/**
 * The local side of a call: camera and microphone, their mute switches, and
 * screen sharing in place of the camera.
 */
export class LocalMedia {
  /** Camera and microphone; null when receiving only. @type {MediaStream|null} */
  stream = null;
  /** @type {MediaStreamTrack|null} */
  #screenTrack = null;
  #videoEnabled = true;

  /**
   * Opens camera and microphone.
   * @throws {Error} when there is no device, the user refuses, or the page is not a secure context
   */
  async start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('camera access needs https or localhost');
    }
    this.stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  }

  /** @returns {MediaStreamTrack|null} */
  get audioTrack() { return this.stream?.getAudioTracks()[0] ?? null; }
  /** @returns {MediaStreamTrack|null} */
  get cameraTrack() { return this.stream?.getVideoTracks()[0] ?? null; }
  /** The video the others should see: the screen while sharing it, else the camera. */
  get videoTrack() { return this.#screenTrack ?? this.cameraTrack; }
  get sharingScreen() { return this.#screenTrack !== null; }
  get audioEnabled() { return this.audioTrack?.enabled ?? false; }
  get videoEnabled() { return this.videoTrack !== null && this.#videoEnabled; }

  setAudioEnabled(enabled) {
    if (this.audioTrack) this.audioTrack.enabled = enabled;
  }

  /** Applies to camera and screen alike, so switching between them keeps the choice. */
  setVideoEnabled(enabled) {
    this.#videoEnabled = enabled;
    for (const track of [this.cameraTrack, this.#screenTrack]) {
      if (track) track.enabled = enabled;
    }
  }

  /**
   * Asks the user for a screen, window or tab.
   * @param {() => void} onEnded called when the user stops sharing from the browser's own controls
   * @returns {Promise<MediaStreamTrack>} the screen track, now {@link LocalMedia#videoTrack}
   */
  async startScreenShare(onEnded) {
    const display = await navigator.mediaDevices.getDisplayMedia({video: true});
    const track = display.getVideoTracks()[0];
    track.enabled = this.#videoEnabled;
    track.addEventListener('ended', onEnded, {once: true});
    this.#screenTrack = track;
    return track;
  }

  /** @returns {MediaStreamTrack|null} the camera track, now {@link LocalMedia#videoTrack} again */
  stopScreenShare() {
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    return this.cameraTrack;
  }

  /** Releases every device. */
  stop() {
    this.stopScreenShare();
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
  }
}
