package io.switchboard.signaling.session;

import io.switchboard.LogField;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.ice.IceServers;
import io.switchboard.signaling.protocol.ClientFrame;
import io.switchboard.signaling.protocol.ErrorCode;
import io.switchboard.signaling.protocol.FrameException;
import io.switchboard.signaling.protocol.FrameParser;
import io.switchboard.signaling.protocol.FrameType;
import io.switchboard.signaling.protocol.RelayFrame;
import io.switchboard.signaling.protocol.ServerFrames;
import io.switchboard.signaling.protocol.Utf8;
import io.switchboard.signaling.room.Fanout;
import io.switchboard.signaling.room.IdentityTakenException;
import io.switchboard.signaling.room.LeaveReason;
import io.switchboard.signaling.room.Member;
import io.switchboard.signaling.room.Participant;
import io.switchboard.signaling.room.ResumeFailedException;
import io.switchboard.signaling.room.Role;
import io.switchboard.signaling.room.Room;
import io.switchboard.signaling.room.RoomFullException;
import io.switchboard.signaling.room.SessionEndpoint;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One participant's WebSocket. Incoming frames are handled on the owning edge verticle's event loop (the session is
 * its socket's listener); the {@link SessionEndpoint} methods may be called from any thread (presence, other edges)
 * and only write.
 */
public final class SignalingSession implements SessionEndpoint, SessionSocket.Listener {

  private static final System.Logger LOG = System.getLogger(SignalingSession.class.getName());
  // Plain volatile fields behind VarHandles, not Atomic* objects: every idle session would hold five of those.
  private static final VarHandle QUEUED_BYTES;
  private static final VarHandle IN_TRANSIT;
  private static final VarHandle FLAGS;
  /** In {@link #flags}: {@link #close} ran (set once). */
  private static final int CLOSING = 1;
  /** In {@link #flags}: the send queue overflowed once; deliveries are dropped while the termination is on its way. */
  private static final int OVERFLOWED = 2;
  /** In {@link #flags}: in the open-sessions gauge; set when admitted (presence thread), cleared once when closed. */
  private static final int COUNTED = 4;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      QUEUED_BYTES = lookup.findVarHandle(SignalingSession.class, "queuedBytes", long.class);
      IN_TRANSIT = lookup.findVarHandle(SignalingSession.class, "inTransit", int.class);
      FLAGS = lookup.findVarHandle(SignalingSession.class, "flags", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final SessionSocket socket;
  /** The edge event loop that owns this session's incoming side. */
  private final Context context;
  /** Who this session is; set again when admitted (a resume keeps the id and the attributes first admitted). */
  private Participant participant;
  /** {@code {"from":"<id>"} as bytes: the start of every frame this session sends on. */
  private byte[] relayPrefix;
  private final SessionServices services;
  /** Needed only for welcome; dropped once it is sent, like everything an idle session need not hold. */
  private JsonArray iceServers;
  /** The TURN username handed out in welcome (null without TURN): revoked when the room evicts the session. */
  private final String turnUsername;
  /** The resume token the welcome hands out; dropped once the welcome is built (presence admits a session once). */
  private ResumeToken resumeToken = ResumeToken.create();
  /** Its hash, which presence keeps (a join may follow a refused resume, or one the edge stopped waiting for). */
  private final String resumeHash = resumeToken.hash();
  /** The resume token the client presented ({@code resume=}), or null for a fresh session; dropped once asked. */
  private String presentedToken;
  /** Where frames go once another endpoint has taken this one's place (a grace buffer, a resume elsewhere). */
  private volatile SessionEndpoint successor;
  /**
   * Set on the edge loop when the connection went without a leave: frames from then on are kept (on the loop, in
   * order) until presence puts a grace buffer in this session's place, so none is lost in between.
   */
  private volatile boolean holding;
  /** Edge loop only: the frames kept while holding, and their size (bounded like the send queue). */
  private List<String> held;
  private long heldBytes;
  /** This participant's rate limiter, shared with its other sessions in the room on this node (reconnects). */
  private final ParticipantLimits.Lease limits;
  private final MessageAssembler assembler;
  /** Bytes of frames in the send queue or on their way to it (any thread; through {@link #QUEUED_BYTES}). */
  private volatile long queuedBytes;
  /** Socket operations issued on other threads that have not yet run on this session's loop. */
  private volatile int inTransit;
  /** {@link #CLOSING}, {@link #OVERFLOWED}, {@link #COUNTED}; changed only through {@link #FLAGS}. */
  private volatile int flags;
  /** Set by {@link #admitted} before the join completes; read by the edge loop afterwards. */
  private volatile Room room;
  private volatile long lastHeardNanos;
  /** Edge loop only: how this session ended, which presence is told once the join has completed. */
  private Departure departure = Departure.NONE;
  private LeaveReason departureReason;
  private boolean joined;
  /** Edge loop only: what runs once the connection is gone (the edge forgets the session, the slot is freed). */
  private Runnable onClosed;

  /** How a session ends, for presence. */
  private enum Departure {
    NONE,
    /** For good: a leave, or the server closed it for abuse. */
    LEAVE,
    /** Its connection is gone: it waits in its grace period for a resume. */
    SUSPEND,
    /** Presence already knows: another endpoint took its place. */
    REPLACED
  }

  /**
   * @param socket         paused until the session is admitted; this session's loop is its event loop
   * @param presentedToken the {@code resume} query parameter, or null
   */
  public SignalingSession(SessionSocket socket, Participant participant, SessionServices services,
                          IceServers.Issued iceServers, String presentedToken) {
    this.socket = socket;
    this.context = Vertx.currentContext();
    this.participant = participant;
    this.relayPrefix = RelayFrame.fromPrefix(participant.id());
    this.services = services;
    this.iceServers = iceServers.iceServers();
    this.turnUsername = iceServers.turnUsername();
    this.presentedToken = presentedToken;
    long now = services.nanoClock().getAsLong();
    this.lastHeardNanos = now;
    this.limits = services.participantLimits().acquire(participant.room(), participant.identity(), now);
    this.assembler = new MessageAssembler(services.limits().maxFrameBytes());
  }

  /**
   * Joins the room, or resumes the session the presented token names; incoming frames wait (the socket is paused)
   * until the session is admitted.
   *
   * @param onClosed runs once the connection is gone
   */
  public void start(Runnable onClosed) {
    this.onClosed = onClosed;
    socket.listen(this);
    if (presentedToken == null) {
      join();
      return;
    }
    // a malformed token goes to presence too (with no hash): it answers, and counts, every refusal
    ResumeToken.Presented presented = ResumeToken.parse(presentedToken);
    presentedToken = null;
    Participant asked = presented == null ? participant : participant.withId(presented.sessionId());
    services.rooms().resume(asked, presented == null ? null : presented.hash(), resumeHash, this)
      .onComplete(ar -> {
        if (ar.succeeded()) {
          joined();
        } else if (ar.cause() instanceof ResumeFailedException failed) {
          resumeFailed(failed);
        } else {
          refuse(ar.cause());
        }
      });
  }

  /** A resume that cannot be honoured: the client is told why, then joins as a new session. */
  private void resumeFailed(ResumeFailedException failed) {
    sendError(ErrorCode.RESUME_FAILED, failed.getMessage(), null);
    join();
  }

  private void join() {
    services.rooms().join(participant, resumeHash, this).onComplete(ar -> {
      if (ar.succeeded()) {
        joined();
        return;
      }
      departure = Departure.LEAVE;
      if (!(ar.cause() instanceof RoomFullException) && !(ar.cause() instanceof IdentityTakenException)) {
        // the join may still complete after the edge stopped waiting: make sure it is undone
        services.rooms().leave(participant.room(), participant.id(), LeaveReason.DISCONNECTED, this);
      }
      refuse(ar.cause());
    });
  }

  private void joined() {
    joined = true;
    if (departure != Departure.NONE) {
      tellPresence(); // the socket closed while the join was in flight
      uncount();
    } else {
      socket.resume();
    }
  }

  private void refuse(Throwable cause) {
    if (cause instanceof RoomFullException full) {
      sendError(ErrorCode.ROOM_FULL, full.getMessage(), null);
      close(CloseCodes.ROOM_FULL, "room-full");
    } else if (cause instanceof IdentityTakenException taken) {
      sendError(ErrorCode.DUPLICATE_IDENTITY, taken.getMessage(), null);
      close(CloseCodes.DUPLICATE_IDENTITY, "duplicate-identity");
    } else {
      LOG.log(System.Logger.Level.WARNING, "join of session {0} to room {1} failed: {2}",
        LogField.session(participant.id()), LogField.room(participant.room()), cause.toString());
      close(CloseCodes.INTERNAL_ERROR, "join failed");
    }
  }

  // ---- incoming, on the edge event loop ----

  @Override
  public void frame(WebSocketFrame frame) {
    long now = services.nanoClock().getAsLong();
    lastHeardNanos = now;
    if (!(frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
      || frame instanceof ContinuationWebSocketFrame)) {
      return; // ping, pong and close are handled by the socket; a pong only proves liveness
    }
    MessageAssembler.Message message = assembler.append(frame);
    if (message == null) {
      return; // more fragments to come
    }
    onMessage(message, now);
    assembler.release();
  }

  @Override
  public void failed(Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, "session {0}: {1}", LogField.session(participant.id()), cause.toString(),
      LogField.room(participant.room()));
  }

  @Override
  public void closed() {
    depart(Departure.SUSPEND, LeaveReason.DISCONNECTED);
    uncount();
    services.participantLimits().release(limits);
    onClosed.run();
  }

  private void onMessage(MessageAssembler.Message message, long receivedAtNanos) {
    if (admitted(limits.limiter().onFrame(receivedAtNanos), null)) {
      handle(message, receivedAtNanos);
    }
  }

  /**
   * Whether a rate verdict lets the frame through; otherwise the frame is dropped, the client is warned at most
   * once a second, and sustained abuse ends the session.
   */
  private boolean admitted(RateLimiter.Verdict verdict, String ref) {
    switch (verdict) {
      case ACCEPT -> {
        return true;
      }
      case DROP -> services.metrics().frameDropped();
      case DROP_AND_WARN -> {
        services.metrics().frameDropped();
        SwitchboardConfig.Limits config = services.limits();
        sendError(ErrorCode.RATE_LIMITED, "over " + config.rateFramesPerSecond() + " frames/s (burst "
          + config.rateBurst() + ") or " + config.rateBytesPerSecond() + " bytes/s (burst " + config.rateBytesBurst()
          + "); frames are being dropped", ref);
      }
      case ABUSE -> {
        services.metrics().frameDropped();
        terminate(CloseCodes.POLICY, "rate limit exceeded for too long");
      }
    }
    return false;
  }

  private void handle(MessageAssembler.Message message, long receivedAtNanos) {
    if (message.binary()) {
      sendError(ErrorCode.BAD_MESSAGE, "binary frames are not accepted; send JSON text", null);
      return;
    }
    if (message.oversized()) {
      sendError(ErrorCode.TOO_LARGE, "frame is larger than " + services.limits().maxFrameBytes() + " bytes", null);
      return;
    }
    ClientFrame frame;
    try {
      frame = FrameParser.parse(message.bytes(), message.length());
    } catch (FrameException e) {
      sendError(e.code(), e.getMessage(), e.ref());
      return;
    }
    services.metrics().frameReceived(frame.type());
    switch (frame.type()) {
      case PING -> deliver(ServerFrames.PONG);
      case LEAVE -> {
        depart(Departure.LEAVE, LeaveReason.LEFT);
        close(CloseCodes.LEFT, "left");
      }
      default -> relay(message, frame, receivedAtNanos);
    }
  }

  private void relay(MessageAssembler.Message message, ClientFrame frame, long receivedAtNanos) {
    Room current = room;
    if (frame.directed()) {
      Member target = current.member(frame.to());
      if (target == null || target.participant().id().equals(participant.id())) {
        sendError(ErrorCode.UNKNOWN_PEER, "no peer with that id in this room", frame.ref());
        return;
      }
      if (!participant.role().sees(target.participant().role())) {
        sendError(ErrorCode.FORBIDDEN, "a viewer may signal only publishers", frame.ref());
        return;
      }
      if (!admitted(limits.limiter().onBytes(message.length(), receivedAtNanos), frame.ref())) {
        return;
      }
      target.endpoint().deliver(RelayFrame.rewrite(message.bytes(), message.length(), frame, relayPrefix));
      services.metrics().relayed(frame.type(), 1, services.nanoClock().getAsLong() - receivedAtNanos);
      return;
    }
    // a broadcast costs what the server writes for it, capped at the burst so a big one in a big room can pass
    long cost = Math.min((long) message.length() * Math.max(1, current.size() - 1),
      services.limits().rateBytesBurst());
    if (!admitted(limits.limiter().onBytes(cost, receivedAtNanos), frame.ref())) {
      return;
    }
    String out = RelayFrame.rewrite(message.bytes(), message.length(), frame, relayPrefix);
    Fanout fanout = new Fanout(out);
    int receivers = broadcast(current.publishers(), out, fanout);
    if (participant.role() == Role.PUBLISHER) {
      receivers += broadcast(current.viewers(), out, fanout);
    }
    fanout.send(); // one message per other node that holds receivers
    services.metrics().relayed(FrameType.MESSAGE, receivers, services.nanoClock().getAsLong() - receivedAtNanos);
  }

  private int broadcast(Iterable<Member> members, String frame, Fanout fanout) {
    int count = 0;
    for (Member member : members) {
      if (member.endpoint() != this) {
        member.endpoint().deliver(frame, fanout);
        count++;
      }
    }
    return count;
  }

  private void uncount() {
    if (clearFlag(COUNTED)) {
      services.metrics().sessionClosed();
    }
  }

  /** Records how this session ended and tells presence, once. Edge loop only. */
  private void depart(Departure how, LeaveReason reason) {
    if (departure != Departure.NONE) {
      return;
    }
    departure = how;
    departureReason = reason;
    holding = how == Departure.SUSPEND;
    if (joined) {
      tellPresence();
    }
  }

  private void tellPresence() {
    if (departure == Departure.LEAVE) {
      services.rooms().leave(participant.room(), participant.id(), departureReason, this);
    } else if (departure == Departure.SUSPEND) {
      services.rooms().suspend(participant.room(), participant.id(), departureReason, this);
    }
  }

  // ---- SessionEndpoint: any thread ----

  @Override
  public void admitted(Room room, Participant self, List<Participant> visiblePeers, boolean resumed) {
    this.room = room;
    this.participant = self;
    this.relayPrefix = RelayFrame.fromPrefix(self.id());
    JsonArray peers = new JsonArray();
    for (Participant peer : visiblePeers) {
      peers.add(peer.peerObject());
    }
    if (setFlag(COUNTED)) {
      services.metrics().sessionOpened();
    }
    LOG.log(System.Logger.Level.INFO, "session {0} {1} room {2}", LogField.session(self.id()),
      resumed ? "resumed in" : "joined", LogField.room(self.room()));
    String welcome = ServerFrames.welcome(self.id(), self.room(), self.identity(), self.role().wire(), peers,
      iceServers, resumeToken.forSession(self.id()), services.nodeId(), resumed);
    resumeToken = null; // presence keeps its hash; the secret is the client's now
    // Welcome does not count against limits.maxQueuedBytes: in a big room with large meta it can be bigger than
    // the queue allows, and the newcomer must never be closed for the size of its own welcome. Its size is bounded
    // by the room limit, so a session holds at most its welcome plus maxQueuedBytes.
    onLoop(() -> socket.writeText(welcome, null));
    iceServers = null;
  }

  @Override
  public void deliver(String frame) {
    SessionEndpoint next = successor;
    if (next != null) {
      next.deliver(frame);
      return;
    }
    if (holding) {
      onLoop(() -> hold(frame));
      return;
    }
    int size = Utf8.encodedLength(frame); // what it will occupy in the send queue
    if ((long) QUEUED_BYTES.getAndAdd(this, (long) size) + size > services.limits().maxQueuedBytes()) {
      QUEUED_BYTES.getAndAdd(this, (long) -size);
      if (setFlag(OVERFLOWED)) {
        services.metrics().slowConsumerClosed();
        // called on the sender's thread: hand the termination to this session's own event loop
        context.runOnContext(v -> terminate(CloseCodes.POLICY, "send queue overflow: the client reads too slowly"));
      }
      return;
    }
    onLoop(() -> {
      if (holding) {
        QUEUED_BYTES.getAndAdd(this, (long) -size); // the connection went while this frame was on its way: keep it
        hold(frame);
      } else {
        socket.writeText(frame, lost -> {
          QUEUED_BYTES.getAndAdd(this, (long) -size);
          if (lost) {
            // the network reset the connection before this session heard of it: kept like a frame that comes
            // while holding, for the grace buffer that takes this session's place (and then a resume)
            hold(frame);
          }
        });
      }
    });
  }

  /** Edge loop only. */
  private void hold(String frame) {
    SessionEndpoint next = successor;
    if (next != null) {
      next.deliver(frame);
      return;
    }
    int size = Utf8.encodedLength(frame);
    if (heldBytes + size > services.limits().maxQueuedBytes()) {
      return; // as a full send queue would: the grace buffer that follows will not be able to resume either
    }
    if (held == null) {
      held = new ArrayList<>();
    }
    held.add(frame);
    heldBytes += size;
  }

  /**
   * Runs a socket operation on this session's event loop (a {@link SessionSocket} is touched only by its own loop,
   * which spares every connection a multi-producer outbound queue). Called on the loop with
   * nothing in transit, it runs at once; otherwise it is queued behind the operations already on their way,
   * so every caller's operations reach the socket in the order they were issued, and welcome stays first.
   */
  private void onLoop(Runnable operation) {
    if (Vertx.currentContext() == context && inTransit == 0) {
      operation.run();
      return;
    }
    IN_TRANSIT.getAndAdd(this, 1);
    context.runOnContext(v -> {
      IN_TRANSIT.getAndAdd(this, -1);
      operation.run();
    });
  }

  @Override
  public void evicted(LeaveReason reason) {
    // kicked or replaced: the relayed media path goes too, on every node's relay, before the client hears of it
    if (turnUsername != null) {
      services.turnRevocations().revoke(turnUsername);
    }
    onLoop(() -> {
      if (reason == LeaveReason.REPLACED) {
        // written here, not queued, so that it goes out before the close frame
        services.metrics().error(ErrorCode.REPLACED);
        String frame = ServerFrames.error(ErrorCode.REPLACED, "the same identity joined this room again", null);
        socket.writeText(frame, null);
        close(CloseCodes.REPLACED, "replaced");
      } else {
        close(CloseCodes.KICKED, "kicked");
      }
    });
  }

  /** Only the TURN credentials: a kick or a replacement during the grace period revokes them. */
  @Override
  public SessionEndpoint whileDisconnected() {
    return new DisconnectedSession(services.turnRevocations(), turnUsername);
  }

  /**
   * A grace buffer took this session's place (its connection dropped), or the client resumed it on another
   * connection: frames that still arrive here go on, and a connection still open is closed.
   */
  @Override
  public void replacedBy(SessionEndpoint next) {
    onLoop(() -> {
      if (held != null) {
        held.forEach(next::deliver);
        held = null;
      }
      successor = next;
      if (departure == Departure.NONE) {
        departure = Departure.REPLACED;
      }
      close(CloseCodes.RESUMED_ELSEWHERE, "resumed on another connection");
    });
  }

  // ---- liveness and shutdown, on the edge event loop ----

  /** Sends a ping, or drops the session when nothing was heard for two intervals. */
  public void checkLiveness(long nowNanos, long intervalNanos) {
    if (nowNanos - lastHeardNanos > 2 * intervalNanos) {
      services.metrics().livenessDrop();
      depart(Departure.SUSPEND, LeaveReason.DISCONNECTED); // the network may be at fault: the client may resume
      close(CloseCodes.PING_TIMEOUT, "ping timeout");
    } else if ((flags & CLOSING) == 0) {
      socket.ping();
    }
  }

  /**
   * Node shutdown: the client is told to go elsewhere, and the session waits in its grace period for it to
   * resume there (the others hear {@code node-lost} if it does not).
   */
  public void shutdown() {
    depart(Departure.SUSPEND, LeaveReason.NODE_LOST);
    close(CloseCodes.GOING_AWAY, "node shutting down");
  }

  /**
   * The server ends the session for good (abuse): presence hears of it now, not when the close handshake
   * completes (a client that stopped reading may never complete it). Edge loop only.
   */
  private void terminate(short code, String reason) {
    depart(Departure.LEAVE, LeaveReason.DISCONNECTED);
    close(code, reason);
  }

  private void sendError(ErrorCode code, String message, String ref) {
    services.metrics().error(code);
    deliver(ServerFrames.error(code, message, ref));
  }

  /** On this session's loop only; frames still in transit to it are dropped (the session is ending). */
  private void close(short code, String reason) {
    if (setFlag(CLOSING)) {
      socket.close(code, reason);
    }
  }

  /** Sets a bit of {@link #flags}; true when this call set it (it was clear). */
  private boolean setFlag(int flag) {
    int current;
    do {
      current = flags;
      if ((current & flag) != 0) {
        return false;
      }
    } while (!FLAGS.compareAndSet(this, current, current | flag));
    return true;
  }

  /** Clears a bit of {@link #flags}; true when this call cleared it (it was set). */
  private boolean clearFlag(int flag) {
    int current;
    do {
      current = flags;
      if ((current & flag) == 0) {
        return false;
      }
    } while (!FLAGS.compareAndSet(this, current, current & ~flag));
    return true;
  }
}
