#pragma once
// Size and count limits of the wire format (WIRE.md §3.4, §5.5, §8.1.1). Decoders check them
// before allocating; the codes each breach produces are given beside them.
// Thread-safety: compile-time constants only.

#include <cstddef>
#include <cstdint>

namespace tenuo {

inline constexpr std::size_t kMaxWarrantBytes = 64 * 1024;     // 1900
inline constexpr std::size_t kMaxStackBytes = 256 * 1024;      // 1900
inline constexpr std::size_t kMaxToolsPerWarrant = 256;        // 1201
inline constexpr std::size_t kMaxConstraintsPerTool = 64;      // 1201
inline constexpr std::size_t kMaxConstraintDepth = 32;         // 1903
inline constexpr std::size_t kMaxExtensionKeys = 64;           // 1201
inline constexpr std::size_t kMaxExtensionValueBytes = 8192;   // 1201
inline constexpr std::size_t kMaxExtensionKeyBytes = 255;      // builders
inline constexpr std::uint32_t kMaxDelegationDepth = 64;       // builders
inline constexpr std::uint64_t kMaxTtlSeconds = 90ULL * 24 * 3600;  // builders, 1303
inline constexpr std::uint64_t kDefaultTtlSeconds = 300;
inline constexpr std::uint64_t kClockToleranceSeconds = 30;
inline constexpr std::size_t kMaxChainLength = 64;             // stricter than the reference

// Generic CBOR nesting limit; warrant payloads use a larger one so that 32 levels of
// constraint nesting (three CBOR levels each) still decode, and then apply kMaxConstraintDepth.
inline constexpr std::size_t kMaxCborDepth = 32;
inline constexpr std::size_t kMaxPayloadCborDepth = 128;

// Strict JSON arguments (§8.1.1).
inline constexpr std::size_t kMaxArgsTextBytes = 256 * 1024;
inline constexpr std::size_t kMaxArgsDepth = 9;
inline constexpr std::size_t kMaxArgsValues = 4096;
inline constexpr std::size_t kMaxArgsEntries = 256;
inline constexpr std::size_t kMaxArgsStringBytes = 64 * 1024;
inline constexpr std::size_t kMaxArgsTotalStringBytes = 64 * 1024;

// PoP.
inline constexpr std::int64_t kPopWindowSeconds = 30;
inline constexpr int kPopDefaultMaxWindows = 5;
inline constexpr int kPopMinWindows = 2;
inline constexpr int kPopMaxWindows = 10;

}  // namespace tenuo
