// Oracle for chain verification against ONE trusted root: the test key with seed 5a×32 (public
// key below; the seed corpus holds chains it signed). Nothing verifies unless its root issuer is
// that key, every link is signed by its parent's holder over the exact payload bytes, carries its
// parent's payload hash, one more depth, no later expiry and no earlier issue time, and the leaf
// is unexpired at the fixed clock. The same input never verifies under any other trusted key.
#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>

#include "detail/crypto.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace {

// Public key of the seed 5a×32 (tests only).
constexpr const char* kTrustedHex = "0d7550754e0800a5d237eef5826035766b9b3e5a15868a940ab289958788e3b0";
constexpr std::int64_t kNow = 1704067260;  // 2024-01-01T00:01:00Z

void check(bool ok) {
  if (!ok) std::abort();
}

const tenuo::PublicKey& trusted() {
  static const tenuo::PublicKey k = [] {
    auto bytes = tenuo::hex_decode(kTrustedHex);
    check(bytes.has_value());
    auto key = tenuo::PublicKey::from_bytes(*bytes);
    check(key.has_value());
    return *key;
  }();
  return k;
}

const tenuo::PublicKey& other() {
  // A.1 control-plane key (seed 01×32): valid, but never trusted by this target.
  static const tenuo::PublicKey k =
      tenuo::PublicKey::from_bytes(
          *tenuo::hex_decode("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"))
          .value();
  return k;
}

void check_verified(const tenuo::VerifiedChain& vc) {
  const auto links = vc.links();
  check(!links.empty() && links.size() <= tenuo::kMaxChainLength);
  check(links.front().payload().issuer == trusted());
  check(vc.verified_at() == kNow);
  for (std::size_t i = 0; i < links.size(); ++i) {
    const tenuo::Payload& c = links[i].payload();
    check(c.issuer.verify(tenuo::warrant_signing_message(links[i].payload_bytes()), links[i].signature()));
    check(c.issued_at <= static_cast<std::uint64_t>(kNow) + tenuo::kClockToleranceSeconds);
    if (i == 0) {
      check(links.size() == 1 || (c.depth == 0 && !c.parent_hash));
      continue;
    }
    const tenuo::Warrant& pw = links[i - 1];
    const tenuo::Payload& p = pw.payload();
    check(c.issuer == p.holder);
    check(c.parent_hash && *c.parent_hash == tenuo::detail::sha256(pw.payload_bytes()));
    check(c.depth == p.depth + 1 && c.depth <= p.max_depth && c.max_depth <= p.max_depth);
    check(c.expires_at <= p.expires_at && c.issued_at >= p.issued_at);
    check(!(p.type == tenuo::WarrantType::Execution && c.type == tenuo::WarrantType::Issuer));
    for (std::size_t j = 0; j < i; ++j) check(links[j].id() != links[i].id());
  }
  check(links.back().payload().expires_at > static_cast<std::uint64_t>(kNow));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tenuo::ByteView in(data, size);
  const tenuo::TrustedRoots roots{{trusted()}};
  const tenuo::TrustedRoots others{{other()}};
  const tenuo::VerifyOptions opts{.now = kNow};
  if (auto vc = tenuo::verify_chain(in, roots, opts)) {
    check_verified(*vc);
    check(!tenuo::verify_chain(in, others, opts).has_value());
  }
  if (auto ws = tenuo::read_warrants(in, kNow)) {
    if (auto vc = tenuo::verify_chain(*ws, roots, opts)) {
      check_verified(*vc);
      check(!tenuo::verify_chain(*ws, others, opts).has_value());
      check(!tenuo::verify_chain(*ws, tenuo::TrustedRoots{}, opts).has_value());
    }
  }
  return 0;
}
