#pragma once
// The only code allowed to construct Warrant objects: the decoder (after verifying the
// signature) and the signer (builders).

#include <tenuo/export.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/warrant.hpp>

namespace tenuo {

class TENUO_EXPORT WarrantFactory {
 public:
  // Called by the decoder once the signature over `payload_bytes` has been verified.
  static Warrant from_verified(Payload p, Bytes payload_bytes, Signature sig, Bytes envelope);
  // Encodes, validates and signs `p` with `key` (which must be p.issuer's key).
  static Result<Warrant> sign(Payload p, const SigningKey& key);
};

}  // namespace tenuo
