#pragma once
// Byte-level writing and bounds-checked reading of checkpoint payloads.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cohort::engine {

/// A checkpoint that cannot be used: corrupt, truncated, of another version or another config.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Appends values to a checkpoint payload in native byte order (checkpoints are for resuming on
/// the same kind of machine, not for exchange).
class CheckpointWriter {
 public:
  template <class T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    put_bytes(&value, sizeof(T));
  }
  void put_bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::byte*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
  }
  void put_string(std::string_view s) {
    put<std::uint64_t>(s.size());
    put_bytes(s.data(), s.size());
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(v.size());
    put_bytes(v.data(), v.size() * sizeof(T));
  }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

/// Reads a payload written by CheckpointWriter; every read is bounds-checked and a short payload
/// throws CheckpointError naming what was being read.
class CheckpointReader {
 public:
  CheckpointReader(const std::byte* data, std::size_t size) : data_(data), size_(size) {}

  template <class T>
  T get(const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    if constexpr (std::is_same_v<T, bool>) {
      // Only the bytes 0 and 1 are bools (reading any other as one is undefined): a flag
      // holding another byte is corruption, refused before anyone reads it.
      const std::size_t at = offset_;
      const auto byte = get<std::uint8_t>(what);
      if (byte > 1) {
        offset_ = at;
        throw CheckpointError(std::string("checkpoint is corrupt: ") + what + " at byte " +
                              std::to_string(at) + " is " + std::to_string(byte) +
                              ", expected 0 or 1");
      }
      return byte == 1;
    } else {
      T value;
      get_bytes(&value, sizeof(T), what);
      return value;
    }
  }
  void get_bytes(void* out, std::size_t size, const char* what) {
    if (size > size_ - offset_)
      throw CheckpointError(std::string("checkpoint is truncated: cannot read ") + what +
                            " at byte " + std::to_string(offset_));
    if (size == 0) return;  // `out` may be null then (an empty vector's data())
    std::memcpy(out, data_ + offset_, size);
    offset_ += size;
  }
  std::string get_string(const char* what) {
    const auto n = get<std::uint64_t>(what);
    check_count(n, 1, what);
    std::string s(n, '\0');
    get_bytes(s.data(), n, what);
    return s;
  }
  template <class T>
  std::vector<T> get_vector(const char* what) {
    const auto n = get<std::uint64_t>(what);
    check_count(n, sizeof(T), what);
    std::vector<T> v(n);
    get_bytes(v.data(), n * sizeof(T), what);
    return v;
  }
  bool at_end() const { return offset_ == size_; }
  std::size_t offset() const { return offset_; }

 private:
  void check_count(std::uint64_t n, std::size_t each, const char* what) const {
    if (n > (size_ - offset_) / each)
      throw CheckpointError(std::string("checkpoint is truncated or corrupt: ") + what +
                            " claims " + std::to_string(n) + " elements at byte " +
                            std::to_string(offset_));
  }
  const std::byte* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

}  // namespace cohort::engine
