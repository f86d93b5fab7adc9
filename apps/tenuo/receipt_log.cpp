#include "receipt_log.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tenuo::cli {
namespace {

// Longest receipt line: the hex of the largest receipt plus the JSON wrapping.
constexpr std::size_t kMaxReceiptLine = 2 * kMaxReceiptBytes + 64;

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  [[nodiscard]] int get() const noexcept { return m_fd; }
  int release() noexcept {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd;
};

enum class Scan : std::uint8_t { Continue, Found };

// Decides about one line read backwards: skip blanks and other signers, stop at ours.
Result<Scan> consider(std::string_view line, const PublicKey& signer, std::optional<Sha256Digest>& prev,
                      const std::string& path) {
  TENUO_TRY_ASSIGN(std::optional<Bytes> bytes, parse_receipt_line(line));
  if (!bytes) return Scan::Continue;
  auto r = verify_receipt(*bytes);
  if (!r)
    return fail(ErrorCode::InvalidInput,
                fmt::format("receipt log {} holds a line that is not an authentic receipt ({}); refusing to extend it",
                            path, r.error().message));
  if (!(r->signer_key == signer)) return Scan::Continue;
  prev = r->hash;
  return Scan::Found;
}

Result<std::optional<Sha256Digest>> last_receipt_of(int fd, const PublicKey& signer, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(ErrorCode::Io, fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
  std::optional<Sha256Digest> prev;
  auto pos = static_cast<std::uint64_t>(st.st_size);
  std::string carry;  // the start of a line whose end was read in a later block
  std::string buf;
  constexpr std::size_t kChunk = 64 * 1024;
  while (pos > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, pos));
    pos -= n;
    buf.assign(n, '\0');
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd, buf.data() + got, n - got, static_cast<off_t>(pos + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return fail(ErrorCode::Io, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
      got += static_cast<std::size_t>(r);
    }
    buf += carry;
    std::size_t end = buf.size();
    for (std::size_t i = buf.size(); i-- > 0;) {
      if (buf[i] != '\n') continue;
      TENUO_TRY_ASSIGN(Scan s, consider(std::string_view(buf).substr(i + 1, end - i - 1), signer, prev, path));
      if (s == Scan::Found) return prev;
      end = i;
    }
    carry = buf.substr(0, end);
    if (carry.size() > kMaxReceiptLine)
      return fail(ErrorCode::InvalidInput, fmt::format("receipt log {} has a line over {} bytes", path, kMaxReceiptLine));
  }
  TENUO_TRY_ASSIGN(Scan s, consider(carry, signer, prev, path));
  (void)s;
  return prev;
}

}  // namespace

Result<Bytes> append_chained_receipt(const std::string& path, const SigningKey& signer, ReceiptPayload payload) {
  Fd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
  if (fd.get() < 0) return fail(ErrorCode::Io, fmt::format("cannot open receipt log {}: {}", path, std::strerror(errno)));
  int rc = 0;
  do {
    rc = ::flock(fd.get(), LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return fail(ErrorCode::Io, fmt::format("cannot lock receipt log {}: {}", path, std::strerror(errno)));
  // A torn last line (no '\n', from a crash) would glue onto ours: refuse rather than guess.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return fail(ErrorCode::Io, fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
  if (st.st_size > 0) {
    char last = 0;
    if (::pread(fd.get(), &last, 1, st.st_size - 1) != 1)
      return fail(ErrorCode::Io, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    if (last != '\n')
      return fail(ErrorCode::InvalidInput,
                  fmt::format("receipt log {} ends in a torn line (no newline); refusing to extend it", path));
  }
  TENUO_TRY_ASSIGN(payload.prev_receipt_hash, last_receipt_of(fd.get(), signer.public_key(), path));
  Bytes receipt = sign_receipt(signer, payload);
  const std::string line = receipt_jsonl_line(receipt);
  ssize_t n = 0;
  do {
    n = ::write(fd.get(), line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail(ErrorCode::Io, fmt::format("cannot append to receipt log {}: {}", path, std::strerror(errno)));
  if (static_cast<std::size_t>(n) != line.size())
    return fail(ErrorCode::Io, fmt::format("short write to receipt log {}; its last line is torn", path));
  if (::fsync(fd.get()) != 0)
    return fail(ErrorCode::Io, fmt::format("cannot fsync receipt log {}: {}", path, std::strerror(errno)));
  if (::close(fd.release()) != 0)
    return fail(ErrorCode::Io, fmt::format("cannot close receipt log {}: {}", path, std::strerror(errno)));
  return receipt;
}

}  // namespace tenuo::cli
