#pragma once
// A forward reader over CBOR bytes that cbor::validate() (or validate_and_split()) has already
// accepted: shortest heads, lengths within bounds, no tags, floats or simple values other than
// the allowed ones. Nothing is re-checked, so it must never see unvalidated input.

#include <tenuo/bytes.hpp>

#include <cstddef>
#include <cstdint>

namespace tenuo::detail {

inline constexpr std::uint8_t kCborUint = 0, kCborBytes = 2, kCborText = 3, kCborArray = 4, kCborMap = 5;

class CborCursor {
 public:
  explicit CborCursor(ByteView validated) : m_p(validated.data()) {}

  struct Head {
    std::uint8_t major;
    std::uint64_t arg;
  };
  [[nodiscard]] std::uint8_t peek_major() const { return static_cast<std::uint8_t>(*m_p >> 5); }
  Head head() {
    const std::uint8_t ib = *m_p++;
    const std::uint8_t info = ib & 0x1f;
    std::uint64_t arg = info;
    if (info >= 24 && info <= 27) {
      const std::size_t len = std::size_t{1} << (info - 24);
      arg = 0;
      for (std::size_t k = 0; k < len; ++k) arg = (arg << 8) | *m_p++;
    }
    return {static_cast<std::uint8_t>(ib >> 5), arg};
  }
  // The bytes of a string whose head was just read.
  ByteView body(std::uint64_t len) {
    const ByteView b(m_p, static_cast<std::size_t>(len));
    m_p += len;
    return b;
  }
  // The whole next item, head included.
  ByteView item() {
    const std::uint8_t* start = m_p;
    std::uint64_t pending = 1;
    while (pending > 0) {
      --pending;
      if (*m_p < 0x18) {  // a one-byte unsigned integer, the elements of byte arrays
        ++m_p;
        continue;
      }
      const Head h = head();
      if (h.major == kCborBytes || h.major == kCborText)
        m_p += h.arg;
      else if (h.major == kCborArray)
        pending += h.arg;
      else if (h.major == kCborMap)
        pending += 2 * h.arg;
    }
    return {start, static_cast<std::size_t>(m_p - start)};
  }

 private:
  const std::uint8_t* m_p;
};

}  // namespace tenuo::detail
