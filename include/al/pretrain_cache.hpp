#pragma once
// The pretraining cache: where a pretrained encoder is kept, under which key,
// and whether a file holding it can be trusted. No LibTorch: `explain` reads
// the same file header the engine writes, so it can say before a run whether
// pretraining will be skipped.
//
// A cache file is
//   alpipe-pretrain-cache 1\n
//   key <one line naming everything that determines the encoder>\n
//   payload <bytes> <FNV-1a 64 of the payload, hex>\n
//   <payload: a LibTorch archive (torch::serialize::OutputArchive) of the
//    model's parameters and buffers, and the pretext losses when kept>
// The engine writes it to a temporary name and renames it, so a run killed
// while saving leaves no half-written file under the real name. A file whose
// key line differs, whose payload is short or whose checksum does not match
// is never used: the engine pretrains again and replaces it.

#include <al/config.hpp>
#include <al/plan.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace al {

/// Raised when the cache file format changes; files of another version are
/// rebuilt. Version 2: the payload is a LibTorch archive (version 1 was a
/// hand-written tensor list).
inline constexpr int pretrain_cache_format = 2;

/// FNV-1a, 64 bits: a checksum that catches truncation and bit rot (it is
/// not meant to resist tampering).
constexpr std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

/// Everything that determines a pretrained encoder, as one line: the data
/// (set, folder, pool and its subset seed), the model, the pretext and its
/// options, and the run's seed. Thread count and device are left out: they
/// change rounding, not what was learned.
inline std::string pretrain_cache_key(const pretrain_recipe& r, const config& c) {
  const std::string model = c.custom_model ? "custom" : c.model;
  std::string key = fmt::format(
      "data={} folder={} pool_size={} subset_seed={} model={} seed={} pretext={} epochs={} "
      "batch_size={} lr={:g} weight_decay={:g}",
      c.data.name, data_folder(c.data).string(), c.data.pool_size, c.data.subset_seed, model,
      c.seed, to_string(r.pretext), r.epochs, r.batch_size, r.learning_rate, r.weight_decay);
  if (r.pretext == pretext::simsiam) {
    key += fmt::format(" projector={} predictor={}", r.projector_width, r.predictor_width);
  }
  // Only when set, so that the keys of balanced pools stay what they were.
  if (c.data.long_tail != 0) key += fmt::format(" long_tail={:g}", c.data.long_tail);
  return key;
}

/// The cache file for `recipe` under `c`: `c.cache_dir` (default
/// `c.results_dir / "cache"`), named by the pretext and the key's hash.
inline std::filesystem::path pretrain_cache_file(const pretrain_recipe& r, const config& c) {
  const auto folder = c.cache_dir.empty() ? c.results_dir / "cache" : c.cache_dir;
  return folder / fmt::format("pretrain-{}-{:016x}.bin", to_string(r.pretext),
                              fnv1a64(pretrain_cache_key(r, c)));
}

/// The file header and payload as written.
inline std::string encode_pretrain_cache(std::string_view key, std::string_view payload) {
  return fmt::format("alpipe-pretrain-cache {}\nkey {}\npayload {} {:016x}\n", pretrain_cache_format,
                     key, payload.size(), fnv1a64(payload)) +
         std::string(payload);
}

/// What is in a cache file, as far as it can be trusted.
struct pretrain_cache_read {
  enum class state { missing, valid, damaged } status = state::missing;
  std::string payload;  // when valid
  std::string problem;  // when damaged: what is wrong, for the warning
};

/// Reads `file` and checks its format, its key against `key`, the payload's
/// length and its checksum.
inline pretrain_cache_read read_pretrain_cache(const std::filesystem::path& file,
                                               std::string_view key) {
  pretrain_cache_read out;
  std::ifstream in(file, std::ios::binary);
  if (!in) return out;
  auto damaged = [&](std::string problem) {
    out.status = pretrain_cache_read::state::damaged;
    out.problem = std::move(problem);
    return out;
  };
  std::string magic, key_line, payload_line;
  if (!std::getline(in, magic) || !std::getline(in, key_line) || !std::getline(in, payload_line)) {
    return damaged("the header is incomplete");
  }
  if (magic != fmt::format("alpipe-pretrain-cache {}", pretrain_cache_format)) {
    return damaged("it is not a cache file of this format");
  }
  if (key_line != fmt::format("key {}", key)) {
    return damaged("it was written for other settings (a hash collision of the file name)");
  }
  std::istringstream sizes(payload_line);
  std::string word, checksum;
  std::uint64_t length = 0;
  if (!(sizes >> word >> length >> checksum) || word != "payload") {
    return damaged("the payload line is unreadable");
  }
  std::string payload(length, '\0');
  if (!in.read(payload.data(), static_cast<std::streamsize>(length)) ||
      in.peek() != std::char_traits<char>::eof()) {
    return damaged("the payload is not the size the header says (a truncated or appended file)");
  }
  if (checksum != fmt::format("{:016x}", fnv1a64(payload))) {
    return damaged("the payload's checksum does not match");
  }
  out.status = pretrain_cache_read::state::valid;
  out.payload = std::move(payload);
  return out;
}

/// One line for `explain(p, c)`: whether the run will pretrain or load.
inline std::string describe_pretrain_cache(const pretrain_recipe& r, const config& c) {
  if (!c.pretrain_cache) return "cache off (config.pretrain_cache = false): pretrains every run";
  const auto file = pretrain_cache_file(r, c);
  const auto found = read_pretrain_cache(file, pretrain_cache_key(r, c));
  switch (found.status) {
    case pretrain_cache_read::state::valid:
      return fmt::format("cached: loads the encoder from {} and skips pretraining",
                         file.string());
    case pretrain_cache_read::state::damaged:
      return fmt::format("cache file {} is damaged ({}): pretrains and replaces it",
                         file.string(), found.problem);
    case pretrain_cache_read::state::missing: break;
  }
  return fmt::format("not cached yet: pretrains and saves the encoder to {}", file.string());
}

}  // namespace al
