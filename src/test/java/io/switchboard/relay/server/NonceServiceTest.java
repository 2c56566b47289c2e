package io.switchboard.relay.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("stateless nonces")
class NonceServiceTest {

  private final AtomicLong now = new AtomicLong(1_800_000_000L);
  private final NonceService nonces = new NonceService(600, now::get);
  private final InetSocketAddress client = new InetSocketAddress("198.51.100.1", 5000);

  @Test
  @DisplayName("valid for its lifetime at the address it was issued to; stale after; foreign elsewhere")
  void lifecycle() {
    String nonce = nonces.issue(client);
    assertTrue(nonce.startsWith("obMatJos2gAAA"), nonce);
    assertTrue(nonce.length() < 128);
    assertEquals(NonceService.Check.VALID, nonces.check(nonce, client));
    now.addAndGet(599);
    assertEquals(NonceService.Check.VALID, nonces.check(nonce, client));
    assertEquals(NonceService.Check.INVALID, nonces.check(nonce, new InetSocketAddress("198.51.100.1", 5001)));
    assertEquals(NonceService.Check.INVALID, nonces.check(nonce, new InetSocketAddress("198.51.100.2", 5000)));
    now.addAndGet(1);
    assertEquals(NonceService.Check.STALE, nonces.check(nonce, client));
  }

  @Test
  @DisplayName("tampered, truncated, another server's, or dated in the future: invalid")
  void forged() {
    String nonce = nonces.issue(client);
    char last = nonce.charAt(nonce.length() - 1);
    assertEquals(NonceService.Check.INVALID, nonces.check(nonce.substring(0, nonce.length() - 1)
      + (last == '0' ? '1' : '0'), client));
    assertEquals(NonceService.Check.INVALID, nonces.check(nonce.substring(1), client));
    assertEquals(NonceService.Check.INVALID, nonces.check("", client));
    assertEquals(NonceService.Check.INVALID, new NonceService(600, now::get).check(nonce, client));
    now.addAndGet(-60);
    assertEquals(NonceService.Check.INVALID, nonces.check(nonce, client), "issued 60 s in the future");
  }
}
