#include "detail/cel_net.hpp"

#include <cstddef>

namespace tenuo::detail::cel {

bool is_private(const IpAddr& ip) noexcept {
  const auto& b = ip.bytes;
  if (ip.v6) {
    bool mapped = b[10] == 0xff && b[11] == 0xff;
    for (std::size_t k = 0; k < 10; ++k) mapped = mapped && b[k] == 0;
    if (mapped) {
      IpAddr v4;
      for (std::size_t k = 0; k < 4; ++k) v4.bytes[k] = b[12 + k];
      return is_private(v4);
    }
    bool loopback = b[15] == 1;
    for (std::size_t k = 0; k < 15; ++k) loopback = loopback && b[k] == 0;
    return loopback || (b[0] & 0xfe) == 0xfc ||       // ::1, fc00::/7
           (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);   // fe80::/10
  }
  return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
         b[0] == 127 || (b[0] == 169 && b[1] == 254);
}

}  // namespace tenuo::detail::cel
