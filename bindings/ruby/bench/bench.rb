# frozen_string_literal: true

# Benchmark (not a test) of the toonstore gem against the sqlite3 gem on the
# same rows in one run: put, get in random order, full scan; one Ruby
# thread. Prints a Markdown table of the median of the runs and their spread.
#
#   ruby bench/bench.rb [--rows N] [--runs 3] [--dir DIR]
#
# toonstore: default options (durability :normal: every acknowledged put
# survives a crash of the process). sqlite3: WAL, synchronous=NORMAL, an
# INTEGER PRIMARY KEY table, prepared statements, one autocommitted INSERT
# per row (the same promise); "sqlite3 (one txn)" inserts everything in one
# transaction (its bulk mode, which acknowledges nothing until the end).
require 'optparse'
require 'tmpdir'
require 'fileutils'
require 'etc'
require 'sqlite3'
require 'toonstore'

opts = { rows: Integer(ENV.fetch('TOONSTORE_BENCH_ROWS', 1_000_000)), runs: 3, dir: nil }
OptionParser.new do |o|
  o.on('--rows N', Integer) { |v| opts[:rows] = v }
  o.on('--runs N', Integer) { |v| opts[:runs] = v }
  o.on('--dir DIR') { |v| opts[:dir] = v }
end.parse!

# Rows like the engine benchmark's: TOON lines of 60-120 bytes.
def make_rows(n)
  x = 0x9E3779B97F4A7C15
  Array.new(n) do |i|
    x ^= (x << 13) & 0xFFFF_FFFF_FFFF_FFFF
    x ^= x >> 7
    x ^= (x << 17) & 0xFFFF_FFFF_FFFF_FFFF
    line = "users[#{i}]{id,name,email,age,bio}: #{i},Name#{i},user#{i}@example.com,#{18 + (x % 60)},"
    target = 60 + (x >> 8) % 61
    line << ('a'.ord + (x >> 16) % 26).chr * [target - line.bytesize, 1].max
    line.b.freeze
  end
end

# [wall seconds, CPU seconds of this thread]. The machine is shared: the
# wall clock also counts other processes' turns, the CPU time does not.
def timed
  w0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  c0 = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID)
  yield
  [Process.clock_gettime(Process::CLOCK_MONOTONIC) - w0, Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) - c0]
end

def check!(what, ok)
  raise "#{what}: wrong result" unless ok
end

class ToonStoreAdapter
  def initialize(dir) = @db = ToonStore.open(File.join(dir, 'toonstore'))
  def put_all(rows) = rows.map { |r| @db.put(r) }
  def get(id) = @db.get(id)

  def scan
    n = 0
    bytes = 0
    @db.each do |_id, data|
      n += 1
      bytes += data.bytesize
    end
    [n, bytes]
  end

  def close = @db.close
end

class SqliteAdapter
  def initialize(dir, one_txn)
    @one_txn = one_txn
    @db = SQLite3::Database.new(File.join(dir, one_txn ? 'sqlite-txn.db' : 'sqlite.db'))
    @db.execute('PRAGMA journal_mode=WAL')
    @db.execute('PRAGMA synchronous=NORMAL')
    @db.execute('CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL)')
    @ins = @db.prepare('INSERT INTO t(v) VALUES(?)')
    @sel = @db.prepare('SELECT v FROM t WHERE id = ?')
  end

  def put_all(rows)
    ids = nil
    insert = lambda do
      ids = rows.map do |r|
        @ins.execute(SQLite3::Blob.new(r))
        @db.last_insert_row_id
      end
    end
    @one_txn ? @db.transaction { insert.call } : insert.call
    ids
  end

  def get(id)
    row = @sel.execute!(id).first
    row && row[0]
  end

  def scan
    n = 0
    bytes = 0
    @db.execute('SELECT id, v FROM t') do |(_id, v)|
      n += 1
      bytes += v.bytesize
    end
    [n, bytes]
  end

  def close
    @ins.close
    @sel.close
    @db.close
  end
end

ENGINES = {
  'toonstore' => ->(dir) { ToonStoreAdapter.new(dir) },
  'sqlite3' => ->(dir) { SqliteAdapter.new(dir, false) },
  'sqlite3 (one txn)' => ->(dir) { SqliteAdapter.new(dir, true) }
}.freeze

rows = make_rows(opts[:rows])
total_bytes = rows.sum(&:bytesize)
order = (0...opts[:rows]).to_a.shuffle(random: Random.new(42))
results = Hash.new { |h, k| h[k] = Hash.new { |hh, kk| hh[kk] = [] } }
cpu = Hash.new { |h, k| h[k] = Hash.new { |hh, kk| hh[kk] = [] } }
base = opts[:dir] || Dir.mktmpdir('toonstore-rb-bench-')
load_start = File.read('/proc/loadavg').split.first(3).join(' ') rescue '?'

opts[:runs].times do |run|
  ENGINES.each do |name, make|
    dir = File.join(base, "run#{run}")
    FileUtils.rm_rf(dir)
    FileUtils.mkdir_p(dir)
    db = make.call(dir)
    GC.start
    ids = nil
    w, c = timed { ids = db.put_all(rows) }
    results[name][:put] << rows.size / w
    cpu[name][:put] << rows.size / c
    by_index = ids
    GC.start
    got = 0
    w, c = timed { order.each { |i| got += db.get(by_index[i]).bytesize } }
    check!("#{name} get", got == total_bytes)
    results[name][:get] << order.size / w
    cpu[name][:get] << order.size / c
    GC.start
    scanned = nil
    w, c = timed { scanned = db.scan }
    check!("#{name} scan", scanned == [rows.size, total_bytes])
    results[name][:scan] << rows.size / w
    cpu[name][:scan] << rows.size / c
    db.close
    FileUtils.rm_rf(dir)
    warn format('run %d %-18s put %10.0f/s  get %10.0f/s  scan %11.0f rows/s', run + 1, name,
                results[name][:put].last, results[name][:get].last, results[name][:scan].last)
  end
end
FileUtils.rm_rf(base) unless opts[:dir]

def num(x) = x.round.to_s.reverse.scan(/\d{1,3}/).join(',').reverse
def median(v) = v.sort[v.size / 2]

def fmt(values)
  s = values.sort
  "#{num(median(s))} [#{num(s.first)}-#{num(s.last)}]"
end

puts "date: #{Time.now.utc.strftime('%Y-%m-%d %H:%M UTC')}"
puts "rows: #{rows.size} (#{(total_bytes.to_f / rows.size).round(1)} B/row), runs: #{opts[:runs]}, one Ruby thread"
puts "ruby #{RUBY_VERSION}, toonstore gem #{ToonStore::VERSION} (library #{ToonStore.library_version}, #{ToonStore::Library.source}), " \
     "sqlite3 gem #{SQLite3::VERSION} (SQLite #{SQLite3::SQLITE_VERSION}), nproc #{Etc.nprocessors}"
puts "load average: #{load_start} at the start, #{File.read('/proc/loadavg').split.first(3).join(' ')} at the end"
puts
puts 'Wall clock, median [min-max] of the runs, per second:'
puts
puts '| database | put ops/s | get ops/s (random) | scan rows/s |'
puts '|---|---:|---:|---:|'
results.each do |name, r|
  puts "| #{name} | #{fmt(r[:put])} | #{fmt(r[:get])} | #{fmt(r[:scan])} |"
end
puts
puts 'Per CPU-second of the benchmark thread, median [min-max]:'
puts
puts '| database | put ops/CPU-s | get ops/CPU-s | scan rows/CPU-s |'
puts '|---|---:|---:|---:|'
cpu.each do |name, r|
  puts "| #{name} | #{fmt(r[:put])} | #{fmt(r[:get])} | #{fmt(r[:scan])} |"
end
puts
ts = results['toonstore']
{ put: 500_000, get: 500_000 }.each do |op, floor|
  med = median(ts[op])
  puts "floor #{op} >= #{num(floor)}/s (wall): #{med >= floor ? 'met' : 'MISSED'} (#{num(med)}/s; #{num(median(cpu['toonstore'][op]))}/CPU-s)"
end
%i[put get scan].each do |op|
  peer = ['sqlite3', 'sqlite3 (one txn)'].map { |n| median(results[n][op]) }.max
  mine = median(ts[op])
  puts "ahead of sqlite3 on #{op}: #{mine > peer ? 'yes' : 'NO'} (#{(mine / peer).round(1)}x its better mode)"
end
