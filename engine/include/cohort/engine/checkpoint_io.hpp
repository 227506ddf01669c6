#pragma once
// Byte-level writing and bounds-checked reading of checkpoint payloads.

#include <algorithm>
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

/// The size of the buffer through which a checkpoint streams to and from its file: what a
/// checkpoint costs in memory beyond the state itself.
inline constexpr std::size_t kCheckpointBufferBytes = std::size_t{1} << 20;

/// Where a streaming CheckpointWriter sends its buffer when it fills (the checkpoint file).
class CheckpointSink {
 public:
  virtual ~CheckpointSink() = default;
  /// Takes `size` bytes; throws on failure.
  virtual void write(const std::byte* data, std::size_t size) = 0;
};

/// Where a streaming CheckpointReader refills its buffer from (the checkpoint file).
class CheckpointSource {
 public:
  virtual ~CheckpointSource() = default;
  /// Reads exactly `size` bytes into `out`, or throws CheckpointError.
  virtual void read(std::byte* out, std::size_t size) = 0;
};

/// Appends values to a checkpoint payload in native byte order (checkpoints are for resuming on
/// the same kind of machine, not for exchange). Without a sink it keeps every byte (bytes());
/// with one it keeps at most a buffer and sends the rest on (one virtual call per refill, none
/// per value), so writing a checkpoint never holds a copy of the state.
class CheckpointWriter {
 public:
  CheckpointWriter() = default;
  explicit CheckpointWriter(CheckpointSink& sink, std::size_t buffer_bytes = kCheckpointBufferBytes)
      : sink_(&sink), limit_(buffer_bytes) {
    bytes_.reserve(limit_);
  }

  template <class T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    put_bytes(&value, sizeof(T));
  }
  void put_bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::byte*>(data);
    if (sink_ != nullptr && bytes_.size() + size > limit_) {
      flush();
      if (size >= limit_) {  // large columns go straight through, not via the buffer
        sink_->write(p, size);
        sent_ += size;
        return;
      }
    }
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
  /// Sends the buffered bytes to the sink (nothing without one).
  void flush() {
    if (sink_ == nullptr || bytes_.empty()) return;
    sink_->write(bytes_.data(), bytes_.size());
    sent_ += bytes_.size();
    bytes_.clear();
  }
  /// Every byte put so far, sent or not.
  std::uint64_t size() const { return sent_ + bytes_.size(); }
  /// The payload of a writer without a sink (with one: only what is still buffered).
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
  CheckpointSink* sink_ = nullptr;
  std::size_t limit_ = 0;
  std::uint64_t sent_ = 0;
};

/// Reads a payload written by CheckpointWriter, from memory or streamed from a source through a
/// fixed buffer; every read is bounds-checked against the payload's size and a short payload
/// throws CheckpointError naming what was being read. Offsets are from the payload's start.
class CheckpointReader {
 public:
  CheckpointReader(const std::byte* data, std::size_t size)
      : data_(data), size_(size), window_end_(size) {}
  /// Reads the `size` bytes of a payload from `source`, `buffer_bytes` at a time.
  CheckpointReader(CheckpointSource& source, std::size_t size,
                   std::size_t buffer_bytes = kCheckpointBufferBytes)
      : size_(size), source_(&source), buffer_(buffer_bytes) {}
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  template <class T>
  T get(const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    if constexpr (std::is_same_v<T, bool>) {
      // Only the bytes 0 and 1 are bools (reading any other as one is undefined): a flag
      // holding another byte is corruption, refused before anyone reads it (nothing consumed).
      if (offset_ == size_) truncated(what);
      if (offset_ == window_end_) fill();
      const auto byte = static_cast<std::uint8_t>(data_[offset_ - window_begin_]);
      if (byte > 1)
        throw CheckpointError(std::string("checkpoint is corrupt: ") + what + " at byte " +
                              std::to_string(offset_) + " is " + std::to_string(byte) +
                              ", expected 0 or 1");
      ++offset_;
      return byte == 1;
    } else {
      T value;
      get_bytes(&value, sizeof(T), what);
      return value;
    }
  }
  void get_bytes(void* out, std::size_t size, const char* what) {
    if (size > size_ - offset_) truncated(what);
    if (size == 0) return;  // `out` may be null then (an empty vector's data())
    if (size <= window_end_ - offset_) {
      std::memcpy(out, data_ + (offset_ - window_begin_), size);
      offset_ += size;
      return;
    }
    read_through(static_cast<std::byte*>(out), size);
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
  /// The payload's size in bytes.
  std::size_t size() const { return size_; }

 private:
  [[noreturn]] void truncated(const char* what) const {
    throw CheckpointError(std::string("checkpoint is truncated: cannot read ") + what +
                          " at byte " + std::to_string(offset_));
  }
  void check_count(std::uint64_t n, std::size_t each, const char* what) const {
    if (n > (size_ - offset_) / each)
      throw CheckpointError(std::string("checkpoint is truncated or corrupt: ") + what +
                            " claims " + std::to_string(n) + " elements at byte " +
                            std::to_string(offset_));
  }
  // Streaming only (in memory the window is the whole payload): the next buffer from the source.
  void fill() {
    const std::size_t n = std::min(buffer_.size(), size_ - offset_);
    source_->read(buffer_.data(), n);
    data_ = buffer_.data();
    window_begin_ = offset_;
    window_end_ = offset_ + n;
  }
  // Streaming only: `size` bytes that reach past the window (bounds already checked).
  void read_through(std::byte* out, std::size_t size) {
    const std::size_t have = window_end_ - offset_;
    if (have > 0) std::memcpy(out, data_ + (offset_ - window_begin_), have);
    offset_ += have;
    out += have;
    size -= have;
    if (size >= buffer_.size()) {  // a large column is read straight into place
      source_->read(out, size);
      offset_ += size;
      window_begin_ = window_end_ = offset_;
      return;
    }
    fill();
    std::memcpy(out, data_, size);
    offset_ += size;
  }

  const std::byte* data_ = nullptr;  // the window: payload bytes [window_begin_, window_end_)
  std::size_t size_;
  std::size_t window_begin_ = 0;
  std::size_t window_end_ = 0;
  std::size_t offset_ = 0;
  CheckpointSource* source_ = nullptr;
  std::vector<std::byte> buffer_;
};

}  // namespace cohort::engine
