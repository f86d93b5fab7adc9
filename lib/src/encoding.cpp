#include <tenuo/encoding.hpp>

#include <tenuo/cbor.hpp>

#include <fmt/format.h>

#include <optional>
#include <utility>

namespace tenuo {

std::string hex_encode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (auto b : data) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

Result<Bytes> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0)
    return fail(ErrorCode::InvalidInput, fmt::format("hex text has an odd length ({})", text.size()));
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nib(text[i]);
    const int lo = nib(text[i + 1]);
    if (hi < 0 || lo < 0)
      return fail(ErrorCode::InvalidInput, fmt::format("invalid hex character at offset {}", i));
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

// ------------------------------------------------------------------ base64

namespace {

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Sextet value of `c` in the common part of both alphabets, or -1.
int common_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return -1;
}

int sextet(char c, Base64Alphabet alphabet) noexcept {
  if (const int v = common_value(c); v >= 0) return v;
  if (alphabet == Base64Alphabet::Standard) {
    if (c == '+') return 62;
    if (c == '/') return 63;
  } else {
    if (c == '-') return 62;
    if (c == '_') return 63;
  }
  return -1;
}

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", u);
}

// Decodes `digits` (no padding, no whitespace, already checked to be in `alphabet`).
Result<Bytes> decode_digits(std::string_view digits, Base64Alphabet alphabet) {
  if (digits.size() % 4 == 1)
    return fail(ErrorCode::InvalidInput,
                fmt::format("base64 text has an impossible length ({} digits)", digits.size()));
  Bytes out;
  out.reserve(digits.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const int v = sextet(digits[i], alphabet);
    if (v < 0)
      return fail(ErrorCode::InvalidInput,
                  fmt::format("invalid base64 character {} at offset {}", describe_char(digits[i]), i));
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  // Canonical form: the bits left over after the last whole byte must be zero.
  if (bits > 0 && (acc & ((1U << bits) - 1)) != 0)
    return fail(ErrorCode::InvalidInput, "base64 text has non-zero trailing bits (not canonical)");
  return out;
}

// Number of '=' a canonical padded encoding of `digits` data characters carries.
std::size_t padding_for(std::size_t digits) noexcept { return (4 - digits % 4) % 4; }

// Splits `text` into data digits and trailing '='; checks the padding is canonical if present
// and that no '=' appears elsewhere. `pad_count` receives the number of '='.
Result<std::string_view> split_padding(std::string_view text, std::size_t& pad_count) {
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') --end;
  pad_count = text.size() - end;
  const std::string_view digits = text.substr(0, end);
  if (digits.find('=') != std::string_view::npos)
    return fail(ErrorCode::InvalidInput, "base64 padding '=' in the middle of the text");
  if (digits.size() % 4 == 1)
    return fail(ErrorCode::InvalidInput,
                fmt::format("base64 text has an impossible length ({} digits)", digits.size()));
  if (pad_count > 0 && pad_count != padding_for(digits.size()))
    return fail(ErrorCode::InvalidInput,
                fmt::format("base64 text has {} padding character(s) where {} belong", pad_count,
                            padding_for(digits.size())));
  return digits;
}

}  // namespace

std::string base64_encode(ByteView data, Base64Alphabet alphabet, Padding padding) {
  const std::string_view table = alphabet == Base64Alphabet::Standard ? kStdAlphabet : kUrlAlphabet;
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    if (padding == Padding::Yes) out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    if (padding == Padding::Yes) out += '=';
  }
  return out;
}

Result<Bytes> base64_decode(std::string_view text, Base64Alphabet alphabet, Padding padding) {
  std::size_t pads = 0;
  TENUO_TRY_ASSIGN(const std::string_view digits, split_padding(text, pads));
  if (padding == Padding::Yes && text.size() % 4 != 0)
    return fail(ErrorCode::InvalidInput,
                fmt::format("padded base64 must be a multiple of 4 characters long (got {})",
                            text.size()));
  if (padding == Padding::No && pads > 0)
    return fail(ErrorCode::InvalidInput, "base64 padding '=' is not allowed here");
  return decode_digits(digits, alphabet);
}

Result<Bytes> base64_decode_any(std::string_view text, std::size_t max_bytes) {
  // First pass (no allocation): count digits, detect the alphabet, check the size cap.
  std::size_t count = 0;
  std::size_t pad_chars = 0;
  bool saw_std = false;
  bool saw_url = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_ascii_space(c)) continue;
    ++count;
    if (c == '=') ++pad_chars;
    if (c == '+' || c == '/') {
      saw_std = true;
    } else if (c == '-' || c == '_') {
      saw_url = true;
    } else if (c != '=' && common_value(c) < 0) {
      return fail(ErrorCode::InvalidInput,
                  fmt::format("invalid base64 character {} at offset {}", describe_char(c), i));
    }
  }
  if (saw_std && saw_url)
    return fail(ErrorCode::InvalidInput,
                "base64 text mixes the standard ('+', '/') and URL-safe ('-', '_') alphabets");
  const std::size_t digits_count = count - pad_chars;
  if (digits_count / 4 * 3 + (digits_count % 4) * 3 / 4 > max_bytes)
    return fail(ErrorCode::InvalidInput,
                fmt::format("base64 text would decode to more than {} bytes", max_bytes));
  std::string compact;
  compact.reserve(count);
  for (char c : text)
    if (!is_ascii_space(c)) compact += c;
  std::size_t pads = 0;
  TENUO_TRY_ASSIGN(const std::string_view digits, split_padding(compact, pads));
  return decode_digits(digits, saw_url ? Base64Alphabet::UrlSafe : Base64Alphabet::Standard);
}

// ------------------------------------------------------------------ PEM

namespace {

constexpr std::string_view kDashes = "-----";
constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// The label of an armour line `-----<KIND>label-----`, or an error naming the line.
Result<std::string_view> armour_label(std::string_view line, std::string_view kind,
                                      std::size_t line_no) {
  if (line.size() < kind.size() + kDashes.size() || !line.ends_with(kDashes))
    return fail(ErrorCode::InvalidInput,
                fmt::format("PEM line {} is not a well-formed armour line", line_no));
  const std::string_view label =
      line.substr(kind.size(), line.size() - kind.size() - kDashes.size());
  if (label.empty() || label.find('-') == 0 || label.find("--") != std::string_view::npos)
    return fail(ErrorCode::InvalidInput, fmt::format("PEM line {} has an invalid label", line_no));
  return label;
}

}  // namespace

Result<std::vector<PemBlock>> pem_parse(std::string_view text) {
  std::vector<PemBlock> blocks;
  std::optional<PemBlock> open;
  std::size_t line_no = 0;
  std::size_t open_line = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.starts_with(kBegin)) {
      if (open)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("PEM block '{}' opened on line {} is not terminated before line {}",
                                open->label, open_line, line_no));
      TENUO_TRY_ASSIGN(const std::string_view label, armour_label(line, kBegin, line_no));
      open = PemBlock{std::string(label), {}};
      open_line = line_no;
    } else if (line.starts_with(kEnd)) {
      TENUO_TRY_ASSIGN(const std::string_view label, armour_label(line, kEnd, line_no));
      if (!open)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("PEM line {}: END '{}' without a matching BEGIN", line_no, label));
      if (label != open->label)
        return fail(ErrorCode::InvalidInput,
                    fmt::format("PEM line {}: END '{}' does not match BEGIN '{}' of line {}",
                                line_no, label, open->label, open_line));
      blocks.push_back(std::move(*open));
      open.reset();
    } else if (open) {
      for (char c : line)
        if (!is_ascii_space(c)) open->body += c;
    }
  }
  if (open)
    return fail(ErrorCode::InvalidInput,
                fmt::format("PEM block '{}' opened on line {} has no END line", open->label,
                            open_line));
  return blocks;
}

std::string pem_armor(std::string_view label, std::string_view body) {
  constexpr std::size_t kLine = 64;
  std::string out;
  out.reserve(body.size() + body.size() / kLine + 2 * label.size() + 40);
  out += kBegin;
  out += label;
  out += "-----\n";
  for (std::size_t i = 0; i < body.size(); i += kLine) {
    out += body.substr(i, kLine);
    out += '\n';
  }
  out += kEnd;
  out += label;
  out += "-----\n";
  return out;
}

// ------------------------------------------------------------------ warrant input forms

namespace {

constexpr std::string_view kWarrantLabel = "TENUO WARRANT";
constexpr std::string_view kChainLabel = "TENUO WARRANT CHAIN";
constexpr std::string_view kAcceptedForms =
    "accepted: base64 or base64url text, PEM 'TENUO WARRANT' or 'TENUO WARRANT CHAIN', a binary "
    ".tenuo file, raw CBOR";

// Decoded size of base64 `text` (whitespace and '=' ignored), computed without allocating.
std::size_t base64_decoded_size(std::string_view text) noexcept {
  std::size_t n = 0;
  for (char c : text)
    if (!is_ascii_space(c) && c != '=') ++n;
  return n / 4 * 3 + (n % 4) * 3 / 4;
}

Result<Bytes> too_large(std::size_t size, std::size_t limit) {
  return fail(ErrorCode::WarrantTooLarge,
              fmt::format("warrant input decodes to {} bytes; the limit is {}", size, limit));
}

// Decodes base64 text of CBOR, enforcing a byte budget (WarrantTooLarge) before decoding.
Result<Bytes> decode_warrant_base64(std::string_view text, std::size_t budget,
                                    std::string_view what) {
  if (const std::size_t size = base64_decoded_size(text); size > budget)
    return too_large(size, budget);
  auto r = base64_decode_any(text, budget);
  if (!r)
    return fail(ErrorCode::InvalidInput,
                fmt::format("{} is not readable: {} ({})", what, r.error().message, kAcceptedForms));
  if (r->empty())
    return fail(ErrorCode::InvalidInput, fmt::format("{} is empty ({})", what, kAcceptedForms));
  return r;
}

Result<Bytes> from_pem(std::string_view text) {
  TENUO_TRY_ASSIGN(const auto blocks, pem_parse(text));
  std::size_t chains = 0;
  std::size_t singles = 0;
  std::string others;
  for (const auto& b : blocks) {
    if (b.label == kChainLabel) {
      ++chains;
    } else if (b.label == kWarrantLabel) {
      ++singles;
    } else {
      others += others.empty() ? "" : ", ";
      others += b.label;
    }
  }
  if (chains > 0) {
    // The reference decodes the chain block and ignores the rest; we refuse the ambiguity.
    if (chains > 1 || singles > 0)
      return fail(ErrorCode::InvalidInput,
                  "PEM input mixes a 'TENUO WARRANT CHAIN' block with other warrant blocks; give "
                  "one chain block or only 'TENUO WARRANT' blocks");
    for (const auto& b : blocks)
      if (b.label == kChainLabel)
        return decode_warrant_base64(b.body, kMaxStackBytes, "the TENUO WARRANT CHAIN block");
  }
  if (singles == 0)
    return fail(ErrorCode::InvalidInput,
                fmt::format("PEM input has no 'TENUO WARRANT' block{}{} ({})",
                            others.empty() ? "" : "; found: ", others, kAcceptedForms));
  std::vector<Bytes> envelopes;
  std::size_t total = 0;
  for (const auto& b : blocks) {
    if (b.label != kWarrantLabel) continue;
    TENUO_TRY_ASSIGN(Bytes env,
                     decode_warrant_base64(b.body, kMaxStackBytes - total,
                                           fmt::format("TENUO WARRANT block {}", envelopes.size() + 1)));
    total += env.size();
    envelopes.push_back(std::move(env));
  }
  if (envelopes.size() == 1) return std::move(envelopes.front());
  Bytes out;
  cbor::write_head(out, 4, envelopes.size());  // major type 4: array of the envelopes
  if (out.size() + total > kMaxStackBytes) return too_large(out.size() + total, kMaxStackBytes);
  out.reserve(out.size() + total);
  for (const auto& e : envelopes) out.insert(out.end(), e.begin(), e.end());
  return out;
}

}  // namespace

Result<Bytes> warrant_cbor_from_any(ByteView input) {
  if (as_chars(input).starts_with(kTenuoMagic)) {
    const ByteView rest = input.subspan(kTenuoMagic.size());
    if (rest.empty()) return fail(ErrorCode::InvalidInput, ".tenuo file has no content after its magic");
    if (rest.size() > kMaxStackBytes) return too_large(rest.size(), kMaxStackBytes);
    return Bytes(rest.begin(), rest.end());
  }
  // A SignedWarrant or WarrantStack is a CBOR array; no text form can start with 0x80-0x9f.
  if (!input.empty() && input[0] >= 0x80 && input[0] <= 0x9f) {
    if (input.size() > kMaxStackBytes) return too_large(input.size(), kMaxStackBytes);
    return Bytes(input.begin(), input.end());
  }
  std::string_view text = as_chars(input);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  if (trim(text).empty()) return fail(ErrorCode::InvalidInput, fmt::format("empty warrant input ({})", kAcceptedForms));
  if (text.find(kBegin) != std::string_view::npos) return from_pem(text);
  return decode_warrant_base64(text, kMaxStackBytes, "warrant text");
}

}  // namespace tenuo
