# frozen_string_literal: true

# Why the gem is a C extension: the same random gets and puts through the
# ffi gem (bare calls, no wrapper code) and through the gem, in one run.
# Needs the ffi gem (Debian: ruby-ffi); not part of the benchmark script.
#
#   TOONSTORE_LIB=target/release/libtoonstore.so ruby bench/ffi_probe.rb [rows] [runs]
require 'ffi'
require 'tmpdir'
require 'toonstore'

module Raw
  extend FFI::Library
  ffi_lib ToonStore::Library.path
  attach_function :toonstore_open, [:string], :pointer
  attach_function :toonstore_close, [:pointer], :void
  attach_function :toonstore_put, %i[pointer pointer size_t], :int64
  attach_function :toonstore_get, %i[pointer int64 pointer pointer], :int
  attach_function :toonstore_get_into, %i[pointer int64 pointer size_t pointer], :int
  attach_function :toonstore_free_buffer, [:pointer], :void
end

rows_n = Integer(ARGV[0] || 1_000_000)
runs = Integer(ARGV[1] || 3)
rows = Array.new(rows_n) { |i| "users[#{i}]{id,name,email}: #{i},Name#{i},user#{i}@example.com,#{'x' * (i % 40)}".b }
order = (0...rows_n).to_a.shuffle(random: Random.new(1))

# Operations per second of CPU time of this thread: on a shared machine the
# wall clock also counts other processes' turns.
def rate(n)
  t = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID)
  yield
  n / (Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) - t)
end

results = Hash.new { |h, k| h[k] = [] }
runs.times do
  Dir.mktmpdir do |tmp|
    h = Raw.toonstore_open(File.join(tmp, 'ffi'))
    results['ffi put'] << rate(rows_n) { rows.each { |r| Raw.toonstore_put(h, r, r.bytesize) } }
    buf = FFI::MemoryPointer.new(:uint8, 4096)
    len = FFI::MemoryPointer.new(:size_t)
    results['ffi get (get_into)'] << rate(rows_n) do
      order.each do |i|
        Raw.toonstore_get_into(h, i, buf, 4096, len)
        buf.read_bytes(len.read(:size_t))
      end
    end
    dp = FFI::MemoryPointer.new(:pointer)
    results['ffi get (get + free)'] << rate(rows_n) do
      order.each do |i|
        Raw.toonstore_get(h, i, dp, len)
        p = dp.read_pointer
        p.read_bytes(len.read(:size_t))
        Raw.toonstore_free_buffer(p)
      end
    end
    Raw.toonstore_close(h)

    db = ToonStore.open(File.join(tmp, 'gem'))
    results['gem put'] << rate(rows_n) { rows.each { |r| db.put(r) } }
    results['gem get'] << rate(rows_n) { order.each { |i| db.get(i) } }
    db.close
  end
end

puts "#{Time.now.utc.strftime('%Y-%m-%d %H:%M UTC')}, ruby #{RUBY_VERSION}, ffi #{FFI::VERSION}, #{rows_n} rows, #{runs} runs, " \
     "load #{File.read('/proc/loadavg').split.first(3).join(' ')}"
results.each do |name, v|
  s = v.sort
  puts format('%-22s median %9.0f/CPU-s  [%9.0f - %9.0f]', name, s[s.size / 2], s.first, s.last)
end
