package io.switchboard.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.LongTermKey;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.Username;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A blocking STUN/TURN client for tests, on its own loopback UDP socket, built on the relay's own codec (so it
 * checks the server, not itself: the codec has its own tests against RFC 5769). Every receive is bounded in time.
 */
public final class StunClient implements AutoCloseable {

  private static final int TIMEOUT_MILLIS = 3000;

  private final DatagramSocket socket;
  private final InetSocketAddress server;
  private String username;
  private String password;
  private String realm;
  private String nonce;

  public StunClient(int serverPort) {
    this(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
  }

  /** A client of the server at {@code server} (127.0.0.1 or ::1), on a loopback socket of the same family. */
  public StunClient(InetSocketAddress server) {
    this(server, new InetSocketAddress(server.getAddress(), 0));
  }

  /** A client on {@code local} (a TCP client may use the same address and port: another five-tuple). */
  public StunClient(int serverPort, InetSocketAddress local) {
    this(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), local);
  }

  private StunClient(InetSocketAddress server, InetSocketAddress local) {
    try {
      socket = new DatagramSocket(local);
      socket.setSoTimeout(TIMEOUT_MILLIS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.server = server;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  public StunClient credentials(String username, String password) {
    this.username = username;
    this.password = password;
    return this;
  }

  public String username() {
    return username;
  }

  public String nonce() {
    return nonce;
  }

  public void nonce(String nonce) {
    this.nonce = nonce;
  }

  public byte[] key() {
    return LongTermKey.md5(username, realm, password);
  }

  public static byte[] newTransactionId() {
    byte[] id = new byte[12];
    ThreadLocalRandom.current().nextBytes(id);
    return id;
  }

  /** Builds a message with {@code body}, unsigned. */
  public static byte[] build(int method, MessageClass cls, byte[] transactionId, Consumer<MessageWriter> body) {
    ByteBuf out = Unpooled.buffer();
    MessageWriter writer = MessageWriter.start(out, method, cls, transactionId);
    body.accept(writer);
    return ByteBufUtil.getBytes(out);
  }

  /**
   * A request signed with the long-term credentials (USERNAME, REALM, NONCE, MESSAGE-INTEGRITY, FINGERPRINT),
   * learning realm and nonce from a 401/438 first when needed; answers the final response.
   */
  public Response request(int method, Consumer<MessageWriter> attributes) {
    if (nonce == null) {
      Response challenge = send(build(method, MessageClass.REQUEST, newTransactionId(), attributes::accept));
      if (challenge.errorCode() != 401) {
        return challenge;
      }
      learn(challenge);
    }
    Response response = send(signed(method, newTransactionId(), attributes));
    if (response.errorCode() == 438) {
      learn(response);
      response = send(signed(method, newTransactionId(), attributes));
    }
    return response;
  }

  private void learn(Response challenge) {
    realm = challenge.realm();
    nonce = challenge.nonce();
  }

  /** A signed request with an explicit transaction id (for retransmission tests). */
  public byte[] signed(int method, byte[] transactionId, Consumer<MessageWriter> attributes) {
    return build(method, MessageClass.REQUEST, transactionId, w -> {
      attributes.accept(w);
      Username.write(w, username);
      Realm.write(w, realm);
      Nonce.write(w, nonce);
      w.integrity(key());
      w.fingerprint();
    });
  }

  /** Sends a request and waits for the response with the same transaction id. */
  public Response send(byte[] request) {
    sendRaw(request);
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      byte[] answer = receive();
      if (answer == null) {
        break;
      }
      if (answer.length >= 20 && Arrays.equals(answer, 8, 20, request, 8, 20)) {
        return new Response(answer);
      }
    }
    throw new AssertionError("no response within " + TIMEOUT_MILLIS + " ms");
  }

  public void sendRaw(byte[] datagram) {
    try {
      socket.send(new DatagramPacket(datagram, datagram.length, server));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next datagram, or null after {@code millis} without one. */
  public byte[] receive(int millis) {
    try {
      socket.setSoTimeout(millis);
      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      socket.receive(packet);
      return Arrays.copyOf(packet.getData(), packet.getLength());
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] receive() {
    return receive(TIMEOUT_MILLIS);
  }

  @Override
  public void close() {
    socket.close();
  }

  /** One decoded response. */
  public record Response(byte[] bytes) {

    public StunMessage message() {
      return StunMessage.decode(Unpooled.wrappedBuffer(bytes));
    }

    /** 0 for a success response. */
    public int errorCode() {
      StunMessage m = message();
      if (m.messageClass() == MessageClass.SUCCESS) {
        return 0;
      }
      ErrorCodeAttribute.Value value = ErrorCodeAttribute.read(m);
      return value == null ? -1 : value.code();
    }

    public String realm() {
      return Realm.read(message());
    }

    public String nonce() {
      return Nonce.read(message());
    }

    public InetSocketAddress address(int type) {
      return io.switchboard.relay.proto.XorAddress.read(message(), type);
    }

    public InetSocketAddress relayed() {
      return address(AttributeType.XOR_RELAYED_ADDRESS);
    }

    /** Every XOR-RELAYED-ADDRESS, in order (two for a dual allocation). */
    public java.util.List<InetSocketAddress> allRelayed() {
      StunMessage m = message();
      java.util.List<InetSocketAddress> out = new java.util.ArrayList<>();
      for (int i = 0; i < m.attributeCount(); i++) {
        if (m.attributeType(i) == AttributeType.XOR_RELAYED_ADDRESS) {
          out.add(io.switchboard.relay.proto.XorAddress.readAt(m, i));
        }
      }
      return out;
    }
  }
}
