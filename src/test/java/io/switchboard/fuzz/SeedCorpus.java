package io.switchboard.fuzz;

import io.netty.buffer.Unpooled;
import io.switchboard.auth.TokenIssuer;
import io.switchboard.config.ConfigLoader;
import io.switchboard.fuzz.RelaySequenceFuzzTest.Op;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.ChannelNumber;
import io.switchboard.relay.proto.Data;
import io.switchboard.relay.proto.DontFragment;
import io.switchboard.relay.proto.ErrorCodeAttribute;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.Lifetime;
import io.switchboard.relay.proto.LongTermKey;
import io.switchboard.relay.proto.MessageClass;
import io.switchboard.relay.proto.MessageWriter;
import io.switchboard.relay.proto.Method;
import io.switchboard.relay.proto.Nonce;
import io.switchboard.relay.proto.PasswordAlgorithm;
import io.switchboard.relay.proto.PasswordAlgorithms;
import io.switchboard.relay.proto.Realm;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.RequestedTransport;
import io.switchboard.relay.proto.ReservationToken;
import io.switchboard.relay.proto.Software;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.UnknownAttributes;
import io.switchboard.relay.proto.Username;
import io.switchboard.relay.proto.XorAddress;
import io.switchboard.testing.StunClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes the seed corpora and dictionaries of the fuzz targets under src/test/resources/io/switchboard/fuzz, in the
 * layout Jazzer's JUnit integration reads: {@code <Class>Inputs/<method>/<file>}. The seeds are real frames: the RFC
 * 5769 test vectors, requests exactly as the tests' {@link StunClient} builds them (and the relay's own answers),
 * Chrome-style offers and candidates, tokens as {@link TokenIssuer} signs them, the shipped conf files. Everything is
 * deterministic (fixed transaction ids, a fixed clock), so running it again rewrites the same bytes. Findings that
 * Jazzer writes beside the seeds ({@code crash-*}, {@code timeout-*}) are kept, as regression inputs.
 *
 * <p>Run from the project directory: {@code mvn -o -q test-compile exec:java}-style, or
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) io.switchboard.fuzz.SeedCorpus .}
 * (the classpath from {@code mvn -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}).
 */
public final class SeedCorpus {

  /** The relay target's realm and static user: their long-term keys sign the STUN seeds. */
  static final byte[] RELAY_KEY_MD5 = LongTermKey.md5(RelaySequenceFuzzTest.STATIC_USER, RelaySequenceFuzzTest.REALM,
    RelaySequenceFuzzTest.STATIC_PASSWORD);
  static final byte[] RELAY_KEY_SHA256 = LongTermKey.sha256(RelaySequenceFuzzTest.STATIC_USER,
    RelaySequenceFuzzTest.REALM, RelaySequenceFuzzTest.STATIC_PASSWORD);
  static final byte[] RFC5769_SHORT_TERM_KEY = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
  static final byte[] RFC5769_LONG_TERM_KEY = LongTermKey.md5("\u30de\u30c8\u30ea\u30c3\u30af\u30b9", "example.org",
    "TheMatrIX");

  // RFC 5769 sections 2.1-2.4, byte for byte (also in relay/proto/Rfc5769VectorsTest)
  static final String RFC5769_REQUEST = """
    000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74
    002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020
    000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf""";
  static final String RFC5769_IPV4_RESPONSE = """
    0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220
    002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7
    80280004c07d4c96""";
  static final String RFC5769_IPV6_RESPONSE = """
    010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220
    002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf1
    1784c97c8292c275bfe3ed4180280004c8fb0b4c""";
  static final String RFC5769_LONG_TERM_REQUEST = """
    000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383aae38383
    e382afe382b900000015001c662f2f3439396b39353464364f4c33346f4c394653547679
    363473410014000b6578616d706c652e6f72670000080014f67024656dd64a3e02b8e071
    2e85c9a28ca89666""";

  private static final String NONCE = "obMatJos2gAAA" + "6a4f1c20" + "0123456789abcdef01234567";
  private static final InetSocketAddress PEER = new InetSocketAddress("127.13.37.1", 40000);

  /** An offer as Chrome writes it (shortened): audio and video, BUNDLE, trickle ICE. */
  private static final String CHROME_SDP = String.join("\r\n",
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0 1",
    "a=extmap-allow-mixed",
    "a=msid-semantic: WMS 3c3e1b3f-6d43-4ad6-a1bb-1e1b4d4b4c9e",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
    "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:Wq4u",
    "a=ice-pwd:9n3sYwSgAx8ZpU4cQe2bKd1L",
    "a=ice-options:trickle",
    "a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0"
      + ":A1:2C:19:08",
    "a=setup:actpass",
    "a=mid:0",
    "a=sendrecv",
    "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2",
    "a=fmtp:111 minptime=10;useinbandfec=1",
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102",
    "c=IN IP4 0.0.0.0",
    "a=mid:1",
    "a=rtpmap:96 VP8/90000",
    "a=rtcp-fb:96 goog-remb",
    "a=rtcp-fb:96 nack pli",
    "");

  private final Path root;

  private SeedCorpus(Path project) {
    this.root = project.resolve("src/test/resources/io/switchboard/fuzz");
  }

  public static void main(String[] args) throws IOException {
    SeedCorpus corpus = new SeedCorpus(Path.of(args.length > 0 ? args[0] : "."));
    corpus.stun();
    corpus.relay();
    corpus.frames();
    corpus.tokens();
    corpus.config(Path.of(args.length > 0 ? args[0] : "."));
  }

  // ---- target 1: STUN/TURN decoder ----

  private void stun() throws IOException {
    Path dir = root.resolve("StunDecoderFuzzTestInputs/decode");
    write(dir, "rfc5769-2.1-request", hex(RFC5769_REQUEST));
    write(dir, "rfc5769-2.2-ipv4-response", hex(RFC5769_IPV4_RESPONSE));
    write(dir, "rfc5769-2.3-ipv6-response", hex(RFC5769_IPV6_RESPONSE));
    write(dir, "rfc5769-2.4-long-term-request", hex(RFC5769_LONG_TERM_REQUEST));
    stunFromClients(dir);
    stunFromServer(dir);
  }

  /** Requests and indications as the tests' {@link StunClient} sends them, and a ChannelData message. */
  private static void stunFromClients(Path dir) throws IOException {
    write(dir, "client-binding", stun(Method.BINDING, MessageClass.REQUEST, 1, w -> { }));
    write(dir, "client-allocate-unauthenticated", stun(Method.ALLOCATE, MessageClass.REQUEST, 2,
      w -> RequestedTransport.write(w, RequestedTransport.UDP)));
    write(dir, "client-allocate-signed", signed(Method.ALLOCATE, 3, false, w -> {
      RequestedTransport.write(w, RequestedTransport.UDP);
      Lifetime.write(w, 600);
      EvenPort.write(w, true);
      DontFragment.write(w);
      RequestedAddressFamily.write(w, XorAddress.FAMILY_IPV4);
    }));
    write(dir, "client-allocate-sha256", signed(Method.ALLOCATE, 4, true, w -> {
      RequestedTransport.write(w, RequestedTransport.UDP);
      ReservationToken.write(w, 0x0123456789ABCDEFL);
    }));
    write(dir, "client-refresh-signed", signed(Method.REFRESH, 5, false, w -> Lifetime.write(w, 0)));
    write(dir, "client-create-permission", signed(Method.CREATE_PERMISSION, 6, false, w -> {
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, PEER);
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, new InetSocketAddress("2001:db8::7", 9));
    }));
    write(dir, "client-channel-bind", signed(Method.CHANNEL_BIND, 7, false, w -> {
      ChannelNumber.write(w, 0x4001);
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, PEER);
    }));
    write(dir, "client-send-indication", stun(Method.SEND, MessageClass.INDICATION, 8, w -> {
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, PEER);
      byte[] data = "hello peer".getBytes(StandardCharsets.US_ASCII);
      Data.write(w, Unpooled.wrappedBuffer(data), 0, data.length);
    }));
    write(dir, "client-channeldata", new byte[]{0x40, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0});
  }

  /** The relay's answers: challenges, errors, successes, a Data indication. */
  private static void stunFromServer(Path dir) throws IOException {
    write(dir, "server-401", stun(Method.ALLOCATE, MessageClass.ERROR, 2, w -> {
      ErrorCodeAttribute.write(w, StunError.UNAUTHORIZED);
      Realm.write(w, RelaySequenceFuzzTest.REALM);
      Nonce.write(w, NONCE);
      PasswordAlgorithms.write(w, new int[]{PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256});
      w.fingerprint();
    }));
    write(dir, "server-420", stun(Method.BINDING, MessageClass.ERROR, 9, w -> {
      ErrorCodeAttribute.write(w, StunError.UNKNOWN_ATTRIBUTE);
      UnknownAttributes.write(w, new int[]{0x7ABC, 0x0031});
      w.fingerprint();
    }));
    write(dir, "server-allocate-success", stun(Method.ALLOCATE, MessageClass.SUCCESS, 3, w -> {
      XorAddress.write(w, AttributeType.XOR_RELAYED_ADDRESS, new InetSocketAddress("203.0.113.9", 61002));
      Lifetime.write(w, 600);
      XorAddress.write(w, AttributeType.XOR_MAPPED_ADDRESS, new InetSocketAddress("198.51.100.4", 53211));
      ReservationToken.write(w, 0x0123456789ABCDEFL);
      Software.write(w, "Switchboard");
      w.integrity(RELAY_KEY_MD5);
      w.fingerprint();
    }));
    write(dir, "server-binding-ipv6", stun(Method.BINDING, MessageClass.SUCCESS, 1, w -> {
      XorAddress.write(w, AttributeType.XOR_MAPPED_ADDRESS, new InetSocketAddress("2001:db8::1", 3478));
      Software.write(w, "Switchboard");
      w.fingerprint();
    }));
    write(dir, "server-data-indication", stun(Method.DATA, MessageClass.INDICATION, 10, w -> {
      XorAddress.write(w, AttributeType.XOR_PEER_ADDRESS, PEER);
      byte[] data = {1, 2, 3};
      Data.write(w, Unpooled.wrappedBuffer(data), 0, data.length);
    }));
  }

  private static byte[] stun(int method, MessageClass cls, int id, Consumer<MessageWriter> body) {
    return StunClient.build(method, cls, transactionId(id), body);
  }

  /** Signed as the relay target's clients sign (USERNAME, REALM, NONCE, integrity, FINGERPRINT). */
  private static byte[] signed(int method, int id, boolean sha256, Consumer<MessageWriter> body) {
    return stun(method, MessageClass.REQUEST, id, w -> {
      body.accept(w);
      Username.write(w, RelaySequenceFuzzTest.STATIC_USER);
      Realm.write(w, RelaySequenceFuzzTest.REALM);
      Nonce.write(w, NONCE);
      if (sha256) {
        PasswordAlgorithms.write(w, new int[]{PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256});
        PasswordAlgorithm.write(w, PasswordAlgorithm.SHA256);
        w.integritySha256(RELAY_KEY_SHA256);
      } else {
        w.integrity(RELAY_KEY_MD5);
      }
      w.fingerprint();
    });
  }

  private static byte[] transactionId(int n) {
    byte[] id = new byte[12];
    id[0] = 0x5B;
    id[11] = (byte) n;
    return id;
  }

  // ---- target 2: relay sequences ----

  /** An operation program for {@link RelaySequenceFuzzTest}: op codes and operands. */
  private static final class Program {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Program op(int code, int... operands) {
      out.write(code);
      for (int operand : operands) {
        out.write(operand);
      }
      return this;
    }

    Program bytes(byte[] bytes) {
      out.write(bytes, 0, bytes.length);
      return this;
    }

    byte[] build() {
      return out.toByteArray();
    }
  }

  private void relay() throws IOException {
    Path dir = root.resolve("RelaySequenceFuzzTestInputs/sequence");
    relayFlows(dir);
    relayRefusals(dir);
    relayMalformed(dir);
  }

  /** What clients do: allocate, permit, bind, send, refresh; with REST or static credentials, MD5 or SHA-256. */
  private static void relayFlows(Path dir) throws IOException {
    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
    // Allocate (401, then signed) -> CreatePermission -> ChannelBind -> ChannelData -> peer data -> Send -> Refresh
    write(dir, "allocate-permission-channel-send-refresh", new Program()
      .op(Op.ALLOCATE, 1, 2)
      .op(Op.PERMISSION, 0, 0)
      .op(Op.CHANNEL_BIND, 1, 0, 0)
      .op(Op.CHANNEL_DATA, 0, hello.length).bytes(hello).op(0)
      .op(Op.FROM_PEER, 0, 4).bytes(hello)
      .op(Op.SEND, 0, hello.length).bytes(hello).op(0)
      .op(Op.REFRESH, 1, 3)
      .op(Op.REFRESH, 1, 0)
      .build());
    write(dir, "unauthenticated-then-static-user", new Program()
      .op(Op.ALLOCATE_UNAUTHENTICATED)
      .op(Op.CREDENTIALS, 1)
      .op(Op.ALLOCATE, 0)
      .op(Op.CHANNEL_BIND, 2, 1, 0)
      .op(Op.FROM_PEER, 0x80, 3).bytes(hello)
      .op(Op.CHANNEL_DATA, 0, 3).bytes(hello).op(1)
      .op(Op.BINDING, 0x80, 0x2F, 4, 1, 2, 3, 4)
      .build());
    write(dir, "sha256-integrity", new Program()
      .op(Op.INTEGRITY, 1)
      .op(Op.ALLOCATE, 0)
      .op(Op.PERMISSION, 1, 0, 1)
      .op(Op.SEND, 1, 2, 'h', 'i', 0)
      .op(Op.INTEGRITY, 2)
      .op(Op.REFRESH, 0)
      .op(Op.INTEGRITY, 3)
      .op(Op.REFRESH, 1, 2)
      .build());
    write(dir, "even-port-reservation", new Program()
      .op(Op.ALLOCATE, 4)
      .op(Op.CLIENT, 1)
      .op(Op.ALLOCATE, 8, 0)
      .op(Op.CLIENT, 2)
      .op(Op.ALLOCATE, 8, 0)
      .op(Op.ALLOCATE, 2 | 8, 0)
      .build());
  }

  /** What the relay refuses: over quota, bad credentials, stale nonces and wrong realms, forbidden peers. */
  private static void relayRefusals(Path dir) throws IOException {
    write(dir, "quota-of-one-user", new Program()
      .op(Op.CREDENTIALS, 4).op(Op.ALLOCATE, 0)
      .op(Op.CLIENT, 1).op(Op.CREDENTIALS, 4).op(Op.ALLOCATE, 0)
      .op(Op.CLIENT, 2).op(Op.CREDENTIALS, 4).op(Op.ALLOCATE, 0)
      .op(Op.CLIENT, 0).op(Op.REFRESH, 1, 0)
      .build());
    write(dir, "wrong-and-expired-credentials", new Program()
      .op(Op.CREDENTIALS, 3).op(Op.ALLOCATE, 0)
      .op(Op.CREDENTIALS, 2).op(Op.ALLOCATE, 0)
      .op(Op.CREDENTIALS, 6).op(Op.ALLOCATE, 0)
      .op(Op.CREDENTIALS, 5).op(Op.ALLOCATE, 1, 4)
      .op(Op.CREDENTIALS, 0).op(Op.REFRESH, 0)
      .build());
    write(dir, "nonces-and-realms", new Program()
      .op(Op.ALLOCATE, 0)
      .op(Op.NONCE, 1).op(Op.REFRESH, 0)
      .op(Op.NONCE, 2).op(Op.PERMISSION, 0, 0)
      .op(Op.CLIENT, 1).op(Op.NONCE, 3).op(Op.ALLOCATE, 0)
      .op(Op.NONCE, 0).op(Op.RETRANSMIT)
      .build());
    write(dir, "refused-peers-and-families", new Program()
      .op(Op.ALLOCATE, 0x20 | 0x10, XorAddress.FAMILY_IPV4)
      .op(Op.PERMISSION, 2, 3, 4, 5)
      .op(Op.PERMISSION, 1, 6, 7)
      .op(Op.CHANNEL_BIND, 0x80, 7, 0)
      .op(Op.CHANNEL_BIND, 0x81, 2, 0)
      .op(Op.SEND, 6, 1, 'x', 0)
      .op(Op.CHANNEL_BIND, 5, 0, 1)
      .op(Op.ALLOCATE, 0x40, 6)
      .build());
  }

  /** Garbage, mutated messages, odd lifetimes and channel numbers. */
  private static void relayMalformed(Path dir) throws IOException {
    byte[] garbage = hex(RFC5769_REQUEST);
    write(dir, "garbage-and-mutations", new Program()
      .op(Op.ALLOCATE, 0)
      .op(Op.GARBAGE, garbage.length).bytes(garbage).op(0)
      .op(Op.GARBAGE, 24).bytes(new byte[24]).op(1)
      .op(Op.GARBAGE, 6, 0x41, 0, 0, 9, 1, 2, 2)
      .op(Op.MUTATED, 0, 4, 0, 7)
      .op(Op.MUTATED, 1, 0, 1, 0x33)
      .op(Op.MUTATED, 2, 2, 0x01, 0x00)
      .op(Op.MUTATED, 3, 5, 0, 0)
      .op(Op.MUTATED, 0, 3, 0, 4, 0, 0x28, 0, 0)
      .op(Op.CHANNEL_DATA, 0x83, 4, 1, 2, 3, 4, 2, 3)
      .op(Op.CHANNEL_DATA, 0, 2, 9, 9, 3, 0xFF, 0xFF)
      .op(Op.CHANNEL_DATA, 0, 0, 4)
      .op(Op.RETRANSMIT)
      .build());
    write(dir, "lifetimes-and-channels", new Program()
      .op(Op.ALLOCATE, 1, 4)
      .op(Op.REFRESH, 1, 1)
      .op(Op.REFRESH, 1, 5)
      .op(Op.REFRESH, 1, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF)
      .op(Op.CHANNEL_BIND, 0x82, 0, 0)
      .op(Op.CHANNEL_BIND, 0x82, 1, 0)
      .op(Op.CHANNEL_BIND, 0x84, 0, 0)
      .op(Op.CHANNEL_BIND, 0xFF, 0x40, 0x00, 0, 0x80, 0x00, 0x0C, 2, 0, 0)
      .op(Op.CHANNEL_DATA, 0x82, 1, 0x55, 0)
      .build());
  }

  // ---- target 3: signaling frames ----

  private void frames() throws IOException {
    Path dir = root.resolve("FrameParserFuzzTestInputs/parseAndRewrite");
    String peer = "Qm7_kP2-xZ";
    write(dir, "chrome-offer.json", new JsonObject().put("type", "offer").put("to", peer).put("sdp", CHROME_SDP)
      .put("ref", "o-1").encode());
    write(dir, "chrome-answer.json", new JsonObject().put("type", "answer").put("to", peer)
      .put("sdp", CHROME_SDP.replace("a=setup:actpass", "a=setup:active")).encode());
    JsonObject candidate = new JsonObject()
      .put("candidate", "candidate:842163049 1 udp 1677729535 203.0.113.7 52814 typ srflx raddr 192.168.1.20 rport "
        + "52814 generation 0 ufrag Wq4u network-id 1 network-cost 10")
      .put("sdpMid", "0").put("sdpMLineIndex", 0).put("usernameFragment", "Wq4u");
    write(dir, "chrome-candidate.json", new JsonObject().put("type", "candidate").put("to", peer)
      .put("candidate", candidate).encode());
    write(dir, "relay-candidate-to-last.json", "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"candidate:"
      + "1 1 udp 41885439 127.0.0.1 61002 typ relay raddr 0.0.0.0 rport 0\",\"sdpMid\":\"0\"} , \"to\" : \"" + peer
      + "\" }");
    write(dir, "end-of-candidates.json", "{\"to\":\"" + peer + "\",\"type\":\"candidate\",\"candidate\":null}");
    write(dir, "message-broadcast.json", new JsonObject().put("type", "message")
      .put("data", new JsonObject().put("chat", "h\u00e9llo \ud83d\udc4b").put("n", new JsonArray().add(1).add(2.5)))
      .encode());
    write(dir, "message-directed.json", "{\n  \"type\": \"message\",\n  \"to\": \"" + peer
      + "\",\n  \"data\": \"raw \\\"quoted\\\" \\u0041\"\n}\n");
    write(dir, "ping.json", "{\"type\":\"ping\",\"ref\":\"p1\"}");
    write(dir, "leave.json", "{\"type\":\"leave\"}");
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] offerWithBom = ("{\"type\":\"offer\",\"sdp\":\"v=0\",\"to\":\"" + peer + "\"}")
      .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream withBom = new ByteArrayOutputStream();
    withBom.write(bom, 0, 3);
    withBom.write(offerWithBom, 0, offerWithBom.length);
    write(dir, "offer-with-bom.json", withBom.toByteArray());
    write(dir, "refused-from.json", "{\"type\":\"offer\",\"to\":\"x\",\"from\":\"y\",\"sdp\":\"v=0\"}");
    write(dir, "refused-duplicate-to.json", "{\"type\":\"offer\",\"to\":\"x\",\"to\":\"y\",\"sdp\":\"v=0\"}");
  }

  // ---- target 4: tokens ----

  private void tokens() throws IOException {
    Path dir = root.resolve("TokenFuzzTestInputs/verify");
    TokenIssuer issuer = new TokenIssuer(TokenFuzzTest.KEY);
    long now = TokenFuzzTest.NOW;
    write(dir, "participant-publisher.jwt", issuer.sign(TokenIssuer.participantClaims("alice", "room-1", null, null,
      now - 60, 3600)));
    write(dir, "participant-viewer-name-meta.jwt", issuer.sign(TokenIssuer.participantClaims("bob", "Team.Room_2",
      "viewer", "Bob \u00e9\u00e8", now, 600).put("meta", new JsonObject().put("team", "blue").put("seat", 4))
      .put("nbf", now - 5)));
    write(dir, "admin.jwt", issuer.sign(new JsonObject().put("sub", "ops").put("admin", true).put("exp", now + 600)));
    write(dir, "expired.jwt", issuer.sign(TokenIssuer.participantClaims("carol", "room-1", null, null, now - 7200,
      3600)));
    write(dir, "not-yet-valid.jwt", issuer.sign(TokenIssuer.participantClaims("dave", "room-1", null, null, now, 3600)
      .put("nbf", now + 3600)));
    write(dir, "scoped-iss-aud.jwt", issuer.sign(TokenIssuer.participantClaims("erin", "room-1", null, null, now, 3600)
      .put("iss", "https://auth.example.org").put("aud", new JsonArray().add("switchboard"))));
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String claims = b64.encodeToString(TokenIssuer.participantClaims("mallory", "room-1", null, null, now, 3600)
      .encode().getBytes(StandardCharsets.UTF_8));
    write(dir, "alg-none.jwt", b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + claims + ".");
    write(dir, "alg-rs256-forged.jwt", b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"
      .getBytes(StandardCharsets.UTF_8)) + "." + claims + "." + b64.encodeToString(new byte[256]));
    write(dir, "claims-as-json", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}\n" + TokenIssuer.participantClaims("frank",
      "room-1", "viewer", "Frank", now, 3600).put("meta", new JsonObject().put("k", "v")).put("admin", false).encode());
    write(dir, "admin-claims-as-json", "{\"alg\":\"HS256\"}\n{\"sub\":\"ops\",\"admin\":true,\"exp\":" + (now + 60)
      + ",\"iat\":" + now + ",\"room\":\"r\"}");
    write(dir, "wrong-key.jwt", new TokenIssuer("another-hs256-key-0123456789abcdefghijklmnop")
      .sign(TokenIssuer.participantClaims("mallory", "room-1", null, null, now, 3600)));
  }

  // ---- target 5: configuration ----

  private void config(Path project) throws IOException {
    Path dir = root.resolve("ConfigFuzzTestInputs/load");
    byte[] shipped = Files.readAllBytes(project.resolve("conf/switchboard.json"));
    write(dir, "switchboard.json", shipped);
    write(dir, "production.example.json", Files.readAllBytes(project.resolve("conf/production.example.json")));
    String secret = ConfigFuzzTest.SECRET;
    write(dir, "switchboard.json+env", concat(shipped, env(
      "SWITCHBOARD_AUTH_HS256_SECRETS=" + secret,
      "SWITCHBOARD_ICE_TURN_SECRETS=[\"" + secret + "x\"]",
      "SWITCHBOARD_RELAY_MIN_PORT=40000",
      "SWITCHBOARD_RELAY_MAX_PORT=40100",
      "SWITCHBOARD_RELAY_ALLOWED_PEERS=10.0.0.0/8, 2001:db8::/32",
      "SWITCHBOARD_HTTP_HOST=::1",
      "SWITCHBOARD_AUTH_DEV_TOKENS=true")));
    write(dir, "cluster+env", concat(("{\"cluster\":{\"enabled\":true,\"members\":[\"127.0.0.1:5701\","
      + "\"[::1]:5702\"],\"insecure\":true},\"relay\":{\"staticUsers\":[\"alice:" + secret + "\"]}}")
      .getBytes(StandardCharsets.UTF_8), env("SWITCHBOARD_AUTH_HS256_SECRETS=" + secret,
      "SWITCHBOARD_CLUSTER_HOST=10.1.2.3", "SWITCHBOARD_CLUSTER_MAX_NO_HEARTBEAT_SECONDS=7")));
    // files named in the configuration: the Hazelcast XML, the cluster's TLS files, a PEM key file
    write(dir, "cluster-files+env", concat(("{\"cluster\":{\"enabled\":true,\"hazelcastConfig\":"
      + "\"cluster/hazelcast-network.xml\",\"tls\":{\"cert\":\"cluster/local/member.pem\",\"key\":"
      + "\"cluster/local/member.key\",\"ca\":\"cluster/local/ca.pem\"}},\"auth\":{\"rs256PublicKeys\":"
      + "[\"conf/auth-public.pem\"]}}").getBytes(StandardCharsets.UTF_8),
      env("SWITCHBOARD_AUTH_HS256_SECRETS=" + secret, "SWITCHBOARD_CLUSTER_HOST=192.0.2.10")));
    write(dir, "settings-cluster", String.join("\n", "@cluster.enabled=true",
      "cluster.hazelcastConfig=cluster/hazelcast-network.xml", "cluster.host=192.0.2.10",
      "cluster.members=[\"192.0.2.11:5701\"]", "cluster.tls.cert=cluster/local/member.pem",
      "cluster.tls.key=cluster/local/member.key", "cluster.tls.ca=cluster/local/ca.pem"));
    write(dir, "settings-keys-and-relay", String.join("\n", "@auth.rs256PublicKeys=[\"conf/auth-public.pem\"]",
      "auth.issuer=https://auth.example.org", "relay.externalAddress=203.0.113.7", "relay.host=0.0.0.0",
      "relay.staticUsers=[\"alice:" + secret + "\"]", "relay.deniedPeers=[\"198.51.100.0/24\"]",
      "http.port=8443", "limits.maxFrameBytes=65536", "node.id=node-1"));
    write(dir, "env-only", concat(new byte[0], env("SWITCHBOARD_AUTH_HS256_SECRETS=" + secret,
      "SWITCHBOARD_LIMITS_MAX_FRAME_BYTES=1e3", "SWITCHBOARD_RELAY_ENABLED=yes")));
    write(dir, "rs256-inline", ("{\"auth\":{\"rs256PublicKeys\":[" + new JsonArray().add(TokenFuzzTest.RSA_PUBLIC_PEM)
      .encode().substring(1)).getBytes(StandardCharsets.UTF_8));
    // the dictionary: every environment variable name and key of the default, and values that mean something
    Set<String> words = new LinkedHashSet<>();
    collect(ConfigLoader.builtInDefault(), "", words);
    words.addAll(java.util.List.of("true", "false", "null", "[]", "{}", "0.0.0.0", "127.0.0.1", "::1", "::",
      "localhost", "10.0.0.0/8", "-----BEGIN PUBLIC KEY-----", "/dev/null", "/etc/hostname", ".", secret,
      "\\u0000", "\\\"", "1e400", "-0.0", "2147483648", "9223372036854775808", "18446744073709551616"));
    StringBuilder dict = new StringBuilder("# written by io.switchboard.fuzz.SeedCorpus: keys, environment variable"
      + " names and values of the configuration\n");
    for (String word : words) {
      dict.append('"').append(word.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
    }
    Files.writeString(root.resolve("ConfigFuzzTest.dict"), dict.toString());
  }

  private static void collect(JsonObject json, String prefix, Set<String> words) {
    for (String key : json.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      words.add(key);
      if (json.getValue(key) instanceof JsonObject section) {
        collect(section, path, words);
      } else {
        words.add(ConfigLoader.envName(path) + "=");
      }
    }
  }

  private static byte[] env(String... entries) {
    return String.join("\0", entries).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] file, byte[] env) {
    byte[] out = new byte[file.length + 1 + env.length];
    System.arraycopy(file, 0, out, 0, file.length);
    System.arraycopy(env, 0, out, file.length + 1, env.length);
    return out;
  }

  // ---- files ----

  private static byte[] hex(String text) {
    return HexFormat.of().parseHex(text.replaceAll("\\s", ""));
  }

  private static void write(Path dir, String name, String content) throws IOException {
    write(dir, name, content.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(Path dir, String name, byte[] content) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), content);
  }
}
