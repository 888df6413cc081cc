# frozen_string_literal: true

# The Ruby side of a database handle. The calls on the hot path (put, get,
# [], include?, delete) and everything that touches the C handle are
# written in C (ext/toonstore/database.c); this file adds option checking,
# the block forms and Enumerable.
class ToonStore
  include Enumerable

  DURABILITIES = %i[off normal full].freeze
  MAX_SYNC_INTERVAL_MS = 0xFFFF_FFFF

  # ToonStore.open(path, **options) -> ToonStore
  # ToonStore.open(path, **options) { |db| ... } -> the block's value
  #
  # With a block, the database is closed when the block exits (also on an
  # exception) and the block's value is returned. Interrupts from other
  # threads (Thread#raise, Timeout) are held back while the database is
  # being opened and closed, and delivered inside the block or after the
  # close: the block form never leaves a database open.
  def self.open(path, **options)
    return new(path, **options) unless block_given?

    Thread.handle_interrupt(Object => :never) do
      db = new(path, **options)
      begin
        result = Thread.handle_interrupt(Object => :immediate) { yield db }
      rescue Exception # rubocop:disable Lint/RescueException
        # The block's exception wins over an error of the final flush.
        begin
          db.close
        rescue Error
          nil
        end
        raise
      end
      db.close
      result
    end
  end

  # The library's version ("1.0.0"), which may be newer than the gem's.
  def self.library_version
    Native.version
  end

  # ToonStore.check(path) -> Hash
  #
  # Verifies every record and the checkpoint of the database in `path`,
  # which no process may have open for writing. Returns
  # { healthy:, segments:, records:, live_rows:, has_checkpoint:,
  #   first_problem: } (first_problem: the file and offset of the first
  # damage, nil when healthy). Raises when the check cannot run
  # (LockedError, IOError, ...).
  def self.check(path)
    path = path.to_path if !path.is_a?(String) && path.respond_to?(:to_path)
    raise TypeError, "path must be a String or Pathname, not #{path.class}" unless path.is_a?(String)
    raise ArgumentError, 'path contains a NUL byte' if path.include?("\0")

    healthy, segments, records, live_rows, checkpoint, problem = Native.check(path)
    { healthy: healthy, segments: segments, records: records, live_rows: live_rows,
      has_checkpoint: checkpoint, first_problem: problem }
  end

  attr_reader :path

  def initialize(path, durability: :normal, read_only: false, create_if_missing: true,
                 verify_checksums: true, sync_interval: nil, max_value_size: nil, segment_size: nil)
    path = path.to_path if !path.is_a?(String) && path.respond_to?(:to_path)
    raise TypeError, "path must be a String or Pathname, not #{path.class}" unless path.is_a?(String)
    raise ArgumentError, 'path is empty' if path.empty?
    raise ArgumentError, 'path contains a NUL byte' if path.include?("\0")

    @path = path.dup.freeze
    @read_only = boolean(:read_only, read_only)
    _open(@path, durability_option(durability), @read_only, boolean(:create_if_missing, create_if_missing),
          boolean(:verify_checksums, verify_checksums), sync_interval_ms(sync_interval),
          size_option(:max_value_size, max_value_size), size_option(:segment_size, segment_size))
  end

  def read_only?
    @read_only
  end

  # fetch(row_id) -> String; NotFoundError when there is no such row
  # fetch(row_id, default) / fetch(row_id) { |row_id| ... }, as Hash#fetch.
  def fetch(row_id, *default)
    raise ArgumentError, "wrong number of arguments (given #{default.size + 1}, expected 1..2)" if default.size > 1

    value = get(row_id)
    return value unless value.nil?
    return yield(row_id) if block_given?
    return default.first unless default.empty?

    raise NotFoundError, "no row #{row_id.inspect}"
  end

  # scan(start = 0, stop = nil, reverse: false) { |row_id, data| ... } -> self
  # scan(start = 0, stop = nil, reverse: false) -> Enumerator
  #
  # The live rows with start <= id < stop (stop nil: no bound) in increasing
  # id order, or from the highest id down with reverse: true, as of the call
  # (a snapshot: later puts and deletes do not change what it yields).
  # The last n rows: scan(reverse: true).first(n). stop below start raises
  # InvalidArgumentError (TOONSTORE_ERR_INVALID_ARG).
  def scan(start = 0, stop = nil, reverse: false, &block)
    ToonStore.check_scan_args(start, stop, reverse)
    unless block
      return enum_for(:scan, start, stop, reverse: reverse) { start.zero? && stop.nil? ? size : nil }
    end

    if stop.nil? && !reverse
      _scan(start, &block)
    else
      _scan_range(start, stop, reverse, &block)
    end
  end

  # reverse_each { |row_id, data| ... }: the whole scan from the highest id
  # down, read lazily (not through to_a as Enumerable's would).
  def reverse_each(&block)
    return enum_for(:reverse_each) { size } unless block

    _scan_range(0, nil, true, &block)
  end

  # Checks scan's arguments (shared with Snapshot#scan).
  def self.check_scan_args(start, stop, reverse)
    raise TypeError, "start must be an Integer, not #{start.class}" unless start.is_a?(Integer)
    raise TypeError, "stop must be an Integer or nil, not #{stop.class}" unless stop.nil? || stop.is_a?(Integer)
    raise TypeError, "reverse must be true or false, not #{reverse.inspect}" unless [true, false].include?(reverse)
  end

  # backup(dest) -> nil
  #
  # Writes a complete, consistent copy of the database as of one moment
  # into the directory `dest` (a String or Pathname that must not exist, or
  # be an empty directory) while other threads and processes keep writing.
  # The copy appears there in one rename: a backup that fails or is killed
  # midway leaves nothing at `dest`. On a read-only handle the copy is of
  # that handle's state (as of its open or its last `refresh`).
  # InvalidArgumentError when `dest` exists and is not an empty directory,
  # IOError when it cannot be written, ClosedError.
  def backup(dest)
    dest = dest.to_path if !dest.is_a?(String) && dest.respond_to?(:to_path)
    raise TypeError, "dest must be a String or Pathname, not #{dest.class}" unless dest.is_a?(String)
    raise ArgumentError, 'dest contains a NUL byte' if dest.include?("\0")

    _backup(dest)
  end

  # each { |row_id, data| ... }: the whole scan (Enumerable).
  def each(&block)
    return enum_for(:each) { size } unless block

    _scan(0, &block)
  end

  # Live rows.
  def size
    stats[:live_rows]
  end
  alias length size

  def empty?
    size.zero?
  end

  # count -> live rows (without reading them); with an argument or a block,
  # Enumerable#count.
  def count(*args, &block)
    return size if args.empty? && !block

    super
  end

  # batch -> ToonStore::Batch (commit it yourself)
  # batch { |b| ... } -> Array of the ids of the batch's puts
  #
  # With a block, the batch is committed when the block returns normally,
  # and discarded when it raises (or leaves with break, throw or return).
  def batch
    b = Batch.new(self)
    return b unless block_given?

    committed = false
    begin
      yield b
      ids = b.commit
      committed = true
      ids
    ensure
      b.discard unless committed
    end
  end

  # snapshot -> ToonStore::Snapshot (close it yourself)
  # snapshot { |snap| ... } -> the block's value; the snapshot is closed after.
  def snapshot
    snap = _snapshot
    return snap unless block_given?

    begin
      yield snap
    ensure
      snap.close
    end
  end

  def inspect
    "#<#{self.class} #{@path.inspect}#{closed? ? ' (closed)' : ''}>"
  end

  private

  def boolean(name, value)
    return value if [true, false].include?(value)

    raise TypeError, "#{name} must be true or false, not #{value.inspect}"
  end

  def durability_option(value)
    value = value.to_sym if value.is_a?(String)
    raise TypeError, "durability must be a Symbol, not #{value.class}" unless value.is_a?(Symbol)
    raise ArgumentError, "durability must be one of #{DURABILITIES.inspect}, not #{value.inspect}" unless DURABILITIES.include?(value)

    value
  end

  def sync_interval_ms(seconds)
    return nil if seconds.nil?
    raise TypeError, "sync_interval must be a number of seconds, not #{seconds.class}" unless seconds.is_a?(Numeric)

    ms = (seconds * 1000).round
    raise ArgumentError, "sync_interval must be from 0 to #{MAX_SYNC_INTERVAL_MS / 1000} seconds" unless ms.between?(0, MAX_SYNC_INTERVAL_MS)

    ms
  end

  # The engine decides which sizes are valid (InvalidArgumentError, with its
  # limits in the message); here only what cannot reach it: the type, and
  # values a 64-bit unsigned field cannot hold.
  def size_option(name, value)
    return nil if value.nil?
    raise TypeError, "#{name} must be an Integer, not #{value.class}" unless value.is_a?(Integer)
    raise ArgumentError, "#{name} must be from 0 to 2**64-1, not #{value}" unless value >= 0 && value < 2**64

    value
  end

  # ToonStore::Snapshot: a consistent read-only view (db.snapshot).
  class Snapshot
    include Enumerable

    # scan(start = 0, stop = nil, reverse: false): as ToonStore#scan, over
    # the snapshot.
    def scan(start = 0, stop = nil, reverse: false, &block)
      ToonStore.check_scan_args(start, stop, reverse)
      return enum_for(:scan, start, stop, reverse: reverse) unless block

      if stop.nil? && !reverse
        _scan(start, &block)
      else
        _scan_range(start, stop, reverse, &block)
      end
    end

    # reverse_each: the snapshot's rows from the highest id down.
    def reverse_each(&block)
      return enum_for(:reverse_each) unless block

      _scan_range(0, nil, true, &block)
    end

    def each(&block)
      scan(0, &block)
    end
  end
end
