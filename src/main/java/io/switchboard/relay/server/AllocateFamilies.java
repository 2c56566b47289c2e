package io.switchboard.relay.server;

import io.switchboard.relay.proto.AdditionalAddressFamily;
import io.switchboard.relay.proto.AttributeType;
import io.switchboard.relay.proto.EvenPort;
import io.switchboard.relay.proto.RequestedAddressFamily;
import io.switchboard.relay.proto.StunError;
import io.switchboard.relay.proto.StunMessage;
import io.switchboard.relay.proto.XorAddress;

/**
 * The relayed-address families an Allocate gets (RFC 8656 section 7.2 steps 6-9): the one it asks for with
 * REQUESTED-ADDRESS-FAMILY, else IPv4; plus IPv6 when it asks for a dual allocation with ADDITIONAL-ADDRESS-FAMILY.
 *
 * @param primary the first relayed address's family; null when refused
 * @param additional the second (IPv6) one of a dual allocation the relay can serve; null otherwise
 * @param additionalError why the requested additional family is not granted (440, ADDRESS-ERROR-CODE); or null
 * @param addressErrorType the ADDRESS-ERROR-CODE type to answer with (RFC 8656's, or the drafts' coturn uses)
 * @param refusal the error the whole Allocate is answered with; null when it goes on
 */
record AllocateFamilies(RelayFamilies.Side primary, RelayFamilies.Side additional, StunError additionalError,
                        int addressErrorType, StunError refusal) {

  private static AllocateFamilies refused(StunError error) {
    return new AllocateFamilies(null, null, null, AttributeType.ADDRESS_ERROR_CODE, error);
  }

  /** The families of an Allocate without RESERVATION-TOKEN (whose port has its family already). */
  static AllocateFamilies choose(StunMessage message, RelayFamilies families, EvenPort.Request even) {
    int requested = RequestedAddressFamily.read(message);
    int additional = AdditionalAddressFamily.read(message);
    // 6. "The server checks if the request contains both REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY
    // attributes. If yes, then the server rejects the request with a 400 (Bad Request) error."
    if (requested >= 0 && additional >= 0) {
      return refused(StunError.BAD_REQUEST);
    }
    // 7. a family the server does not support (or has switched off) is 440; without the attribute the family is
    // IPv4, so a relay without IPv4 relaying answers 440 too
    RelayFamilies.Side primary = families.of(requested >= 0 ? requested : XorAddress.FAMILY_IPV4);
    if (primary == null) {
      return refused(StunError.ADDRESS_FAMILY_NOT_SUPPORTED);
    }
    if (additional < 0) {
      return new AllocateFamilies(primary, null, null, AttributeType.ADDRESS_ERROR_CODE, null);
    }
    // 8. "... an EVEN-PORT attribute with the R bit set to 1. If yes, and the request also contains an
    // ADDITIONAL-ADDRESS-FAMILY attribute, the server rejects the request with a 400 (Bad Request) error."
    // 9. ADDITIONAL-ADDRESS-FAMILY 0x01 (IPv4) is 400; so is a value that names no family at all
    if (even == EvenPort.Request.EVEN_AND_RESERVE_NEXT || additional != XorAddress.FAMILY_IPV6) {
      return refused(StunError.BAD_REQUEST);
    }
    // 9. "If the server can partially meet the request, i.e., if it can only allocate one relayed transport address
    // of a specific address type, then it includes ADDRESS-ERROR-CODE attribute in the success response"
    RelayFamilies.Side ipv6 = families.ipv6();
    int errorType = AdditionalAddressFamily.addressErrorType(message);
    return ipv6 == null ? new AllocateFamilies(primary, null, StunError.ADDRESS_FAMILY_NOT_SUPPORTED, errorType, null)
      : new AllocateFamilies(primary, ipv6, null, errorType, null);
  }
}
