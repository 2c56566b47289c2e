package io.switchboard.testing;

import io.switchboard.relay.proto.LongTermKey;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.Username;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A blocking STUN/TURN client over TCP or TLS for tests (RFC 8656 section 3.1), on the relay's own codec like
 * {@link StunClient}: messages back to back on the stream, ChannelData padded to four bytes both ways. The TLS
 * variant trusts any certificate (the tests read the one presented) and remembers it. Every read is bounded in time.
 */
public final class StreamStunClient implements AutoCloseable {

  private static final int TIMEOUT_MILLIS = 3000;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private String username;
  private String password;
  private String realm;
  private String nonce;

  private StreamStunClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(TIMEOUT_MILLIS);
    socket.setTcpNoDelay(true);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** A TCP connection to the relay on loopback. */
  public static StreamStunClient tcp(int port) {
    return tcp(port, null);
  }

  /** A TCP connection from {@code local} (null: any port). */
  public static StreamStunClient tcp(int port, InetSocketAddress local) {
    try {
      Socket socket = new Socket();
      socket.setReuseAddress(true);
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
      return new StreamStunClient(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A TLS connection (handshake done) trusting whatever certificate the relay shows, offering {@code alpn}. */
  public static StreamStunClient tls(int port, String... alpn) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustAnything()}, null);
      SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      if (alpn.length > 0) {
        var parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(alpn);
        socket.setSSLParameters(parameters);
      }
      socket.startHandshake();
      return new StreamStunClient(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The relay's certificate (TLS only). */
  public X509Certificate peerCertificate() {
    try {
      return (X509Certificate) ((SSLSocket) socket).getSession().getPeerCertificates()[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ALPN protocol the handshake settled on ("" for none; TLS only). */
  public String applicationProtocol() {
    return ((SSLSocket) socket).getApplicationProtocol();
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  public StreamStunClient credentials(String username, String password) {
    this.username = username;
    this.password = password;
    return this;
  }

  /** A request signed with the long-term credentials, learning realm and nonce from a 401/438 first. */
  public StunClient.Response request(int method, Consumer<MessageWriter> attributes) {
    if (nonce == null) {
      StunClient.Response challenge = send(StunClient.build(method, MessageClass.REQUEST,
        StunClient.newTransactionId(), attributes));
      if (challenge.errorCode() != 401) {
        return challenge;
      }
      realm = challenge.realm();
      nonce = challenge.nonce();
    }
    StunClient.Response response = send(signed(method, attributes));
    if (response.errorCode() == 438) {
      realm = response.realm();
      nonce = response.nonce();
      response = send(signed(method, attributes));
    }
    return response;
  }

  private byte[] signed(int method, Consumer<MessageWriter> attributes) {
    return StunClient.build(method, MessageClass.REQUEST, StunClient.newTransactionId(), w -> {
      attributes.accept(w);
      Username.write(w, username);
      Realm.write(w, realm);
      Nonce.write(w, nonce);
      w.integrity(LongTermKey.md5(username, realm, password));
      w.fingerprint();
    });
  }

  /** Sends a request and waits for the response with its transaction id, skipping anything else. */
  public StunClient.Response send(byte[] request) {
    sendRaw(request);
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      byte[] answer = receive();
      if (answer == null) {
        break;
      }
      if (answer.length >= 20 && (answer[0] & 0xC0) == 0 && Arrays.equals(answer, 8, 20, request, 8, 20)) {
        return new StunClient.Response(answer);
      }
    }
    throw new AssertionError("no response within " + TIMEOUT_MILLIS + " ms");
  }

  /** ChannelData on {@code channel}, padded to four bytes as a stream transport requires. */
  public void sendChannelData(int channel, byte[] data) {
    int padded = (data.length + 3) & ~3;
    sendRaw(ByteBuffer.allocate(4 + padded).putShort((short) channel).putShort((short) data.length).put(data)
      .array());
  }

  public void sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The next message, STUN or ChannelData, without ChannelData's padding (which is checked to be there); null when
   * nothing comes within the timeout.
   */
  public byte[] receive() {
    try {
      byte[] header = new byte[4];
      in.readFully(header);
      int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
      boolean channelData = (header[0] & 0xC0) == 0x40;
      int rest = channelData ? ((length + 3) & ~3) : 16 + length;
      byte[] message = Arrays.copyOf(header, 4 + rest);
      in.readFully(message, 4, rest);
      return channelData ? Arrays.copyOf(message, 4 + length) : message;
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True once the relay has closed the connection (end of stream or reset), waiting at most {@code millis}. */
  public boolean closedByServer(int millis) {
    try {
      socket.setSoTimeout(millis);
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset, or closed
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a test socket
    }
  }

  /** Tests read the certificate they are shown; they do not judge it. */
  private static final class TrustAnything implements X509TrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
