// Mutation test (issue 10): every single-bit flip and every truncation of valid warrants — the
// A.1 vector (WIRE.md §19.5) and a 3-link chain — is rejected by decode_warrants + verify_chain
// with the trusted root: 0 accepted. (The decoder is canonical and every byte is covered by a
// signature or fixed by the envelope shape, so no flip can yield another valid encoding.)
#include "warrant_fixtures.hpp"

#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

constexpr std::int64_t kNow = static_cast<std::int64_t>(kT0) + 60;

bool accepted(ByteView bytes, const TrustedRoots& roots) {
  auto chain = decode_warrants(bytes, kNow);
  if (!chain) return false;
  return verify_chain(std::move(*chain), roots, VerifyOptions{.now = kNow}).has_value();
}

struct Tally {
  std::size_t tried = 0;
  std::size_t accepted = 0;
};

// Flips every bit of bytes [from, to) and, with `truncations`, tries every proper prefix.
Tally mutate(const Bytes& valid, const TrustedRoots& roots, std::size_t from, std::size_t to, bool truncations) {
  Tally t;
  Bytes m = valid;
  for (std::size_t i = from; i < to; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      m[i] = static_cast<std::uint8_t>(m[i] ^ (1U << bit));
      ++t.tried;
      if (accepted(m, roots)) {
        ++t.accepted;
        MESSAGE("accepted flip: byte ", i, " bit ", bit);
      }
      m[i] = valid[i];
    }
  }
  for (std::size_t len = 0; truncations && len < valid.size(); ++len) {
    ++t.tried;
    if (accepted(ByteView(valid.data(), len), roots)) {
      ++t.accepted;
      MESSAGE("accepted truncation to ", len, " bytes");
    }
  }
  return t;
}

// root (0x31) -> 0x32 -> 0x33 -> 0x34, read_file{path: Pattern, size: Range}.
Bytes three_link_chain() {
  const SigningKey root = key_of(0x31), a = key_of(0x32), b = key_of(0x33), c = key_of(0x34);
  Payload rp(a.public_key(), root.public_key());
  rp.id = id_of(1);
  ConstraintSet rf;
  rf.set("path", c::Pattern{"/data/*"});
  rf.set("size", c::Range{0.0, 100.0, true, true});
  rp.tools = {{"read_file", rf}};
  rp.issued_at = kT0;
  rp.expires_at = kT0 + 3600;
  rp.max_depth = 4;
  const Warrant w0 = signed_warrant(rp, root);
  const Warrant w1 = signed_warrant(child_payload(w0, b.public_key(), 2), a);
  const Warrant w2 = signed_warrant(child_payload(w1, c.public_key(), 3), b);
  return stack_of({envelope_bytes(w0), envelope_bytes(w1), envelope_bytes(w2)});
}

}  // namespace

TEST_SUITE("tenuo::mutation") {
  TEST_CASE("mutation: A.1, every bit flip and truncation is rejected") {
    const Bytes a1 = unhex(vector_text("a1/envelope.hex"));
    const TrustedRoots roots{{key_of(1).public_key()}};
    REQUIRE(accepted(a1, roots));  // the original verifies
    const Tally t = mutate(a1, roots, 0, a1.size(), true);
    CHECK(t.tried == a1.size() * 9);
    CHECK(t.accepted == 0);
  }

  // Split in halves so that each CTest stays short on a loaded machine.
  TEST_CASE("mutation: a 3-link chain, every bit flip of the first half and every truncation is rejected") {
    const Bytes stack = three_link_chain();
    const TrustedRoots roots{{key_of(0x31).public_key()}};
    REQUIRE(accepted(stack, roots));
    const Tally t = mutate(stack, roots, 0, stack.size() / 2, true);
    CHECK(t.tried == stack.size() / 2 * 8 + stack.size());
    CHECK(t.accepted == 0);
  }

  TEST_CASE("mutation: a 3-link chain, every bit flip of the second half is rejected") {
    const Bytes stack = three_link_chain();
    const TrustedRoots roots{{key_of(0x31).public_key()}};
    REQUIRE(accepted(stack, roots));
    const Tally t = mutate(stack, roots, stack.size() / 2, stack.size(), false);
    CHECK(t.tried == (stack.size() - stack.size() / 2) * 8);
    CHECK(t.accepted == 0);
  }
}
