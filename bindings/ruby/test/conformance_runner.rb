# frozen_string_literal: true

# The Ruby runner of the shared conformance vectors (tests/conformance/*.json;
# the format: tests/conformance/README.md). test/test_conformance.rb turns each
# case into a minitest test; scripts/conformance.sh runs it as `ruby`.
require 'json'
require 'open3'
require 'rbconfig'
require 'tmpdir'
require 'fileutils'
require 'toonstore'

module Conformance
  # ---- how this binding expresses the language-neutral outcomes (one place) ----
  #
  # "absent" for get/snapshot_get: nil.
  # "invalid_id" (negative ids): the gem's documented rule is that an Integer
  #   outside 0..2**63-1 names no row: get gives nil, contains false, delete
  #   and a batch's delete raise NotFoundError (TOONSTORE_ERR_NOT_FOUND).
  # Errors: the C name the exception carries (ToonStore::Error#code).
  INVALID_ID = {
    'get' => :absent, 'snapshot_get' => :absent, 'contains' => false,
    'delete' => 'TOONSTORE_ERR_NOT_FOUND', 'batch' => 'TOONSTORE_ERR_NOT_FOUND'
  }.freeze
  # Capabilities of the vectors this runner supports: Ruby keeps a closed
  # handle and has negative Integers; snapshots and scans outlive close
  # (docs/ruby); the gem has no options-struct version.
  SUPPORTED = %w[use_after_close negative_ids readers_outlive_close].freeze
  # Ops of the vectors the gem lacks: none.
  MISSING_OPS = {}.freeze

  Failure = Class.new(StandardError)

  def self.dir
    ENV.fetch('TOONSTORE_CONFORMANCE_DIR', nil) ||
      File.expand_path('../../../tests/conformance', __dir__)
  end

  # [[case id, case], ...] of every vector file, in file and case order.
  def self.cases(dir = self.dir)
    Dir[File.join(dir, '*.json')].sort.flat_map do |file|
      stem = File.basename(file, '.json')
      JSON.parse(File.read(file)).fetch('cases').map { |c| ["#{stem}/#{c.fetch('name')}", c] }
    end
  end

  def self.report(line)
    path = ENV.fetch('TOONSTORE_CONFORMANCE_REPORT', nil)
    File.open(path, 'a') { |f| f.puts(line) } if path && !path.empty?
  end

  # Why the case cannot run here, or nil.
  def self.skip_reason(kase)
    missing = kase.fetch('requires', []) - SUPPORTED
    return "requires #{missing.join(', ')}" unless missing.empty?

    op = kase['steps'].map { |s| s['op'] }.find { |o| MISSING_OPS.key?(o) }
    op && "op #{op}: #{MISSING_OPS[op]}"
  end

  # Runs one case in a fresh directory. Raises Failure naming the first step
  # that did not give its expected outcome.
  class Case
    def initialize(kase, root)
      @steps = kase.fetch('steps')
      @dir = File.join(root, 'db')
      @db = nil
      @iters = {}
      @snaps = {}
      @holder = nil
    end

    def run
      @steps.each_with_index do |step, i|
        got = outcome { perform(step) }
        ok, want = matches?(step, got)
        raise Failure, "step #{i} (#{step['op']}): expected #{want}, got #{show(got)}" unless ok
      end
    ensure
      cleanup
    end

    private

    def arg(step, key)
      raise Failure, "step #{step['op']}: missing argument #{key}" unless step.key?(key)

      step[key]
    end

    def bytes(value)
      raise Failure, "bad bytes #{value.inspect}" unless value.is_a?(Hash) && value.size == 1

      if value.key?('hex') then [value['hex']].pack('H*')
      elsif value.key?('utf8') then value['utf8'].b
      else raise Failure, "bad bytes #{value.inspect}"
      end
    end

    def rows(list) = list.map { |id, b| [id, bytes(b)] }

    # scan_range / snapshot_scan_range: scan(start, stop, reverse:), at most
    # limit rows read (Enumerator#first stops the scan early).
    def range_rows(source, step)
      scan = source.scan(step.fetch('start', 0), step['stop'], reverse: step.fetch('reverse', false))
      step.key?('limit') ? scan.first(step['limit']) : scan.to_a
    end

    # [:ok, value] or [:error, C name]; other exceptions are [:raised, text].
    def outcome
      [:ok, yield]
    rescue ToonStore::Error => e
      [:error, e.code]
    rescue Failure
      raise
    rescue StandardError => e
      [:raised, "#{e.class}: #{e.message}"]
    end

    def perform(step)
      case step['op']
      when 'open' then open_db(step.fetch('options', {}))
      when 'close' then @db.close
      when 'put' then @db.put(bytes(arg(step, 'value')))
      when 'get' then @db.get(arg(step, 'id'))
      when 'contains' then @db.include?(arg(step, 'id'))
      when 'delete' then @db.delete(arg(step, 'id'))
      when 'count' then @db.count
      when 'scan' then @db.scan(step.fetch('start', 0)).to_a
      when 'scan_range' then range_rows(@db, step)
      when 'snapshot_scan_range' then range_rows(@snaps.fetch(arg(step, 'snapshot')), step)
      when 'iter_open' then @iters[arg(step, 'iter')] = @db.cursor(step.fetch('start', 0))
      when 'iter_next' then @iters.fetch(arg(step, 'iter')).next_row || :end
      when 'iter_close' then @iters.delete(arg(step, 'iter'))&.close
      when 'batch' then batch(arg(step, 'ops'))
      when 'snapshot_open' then @snaps[arg(step, 'snapshot')] = @db.snapshot
      when 'snapshot_get' then @snaps.fetch(arg(step, 'snapshot')).get(arg(step, 'id'))
      when 'snapshot_scan' then @snaps.fetch(arg(step, 'snapshot')).scan(step.fetch('start', 0)).to_a
      when 'snapshot_close' then @snaps.delete(arg(step, 'snapshot'))&.close
      when 'compact' then @db.compact
      when 'sync' then @db.sync
      when 'hold_lock' then hold_lock
      when 'release_lock' then release_lock
      else raise Failure, "unknown op #{step['op'].inspect}"
      end
    end

    def open_db(options)
      unknown = options.keys - %w[read_only create_if_missing max_value_size]
      raise Failure, "unsupported options #{unknown.join(', ')}" unless unknown.empty?

      kw = options.transform_keys(&:to_sym)
      @db = ToonStore.open(@dir, **kw)
    end

    def batch(ops)
      @db.batch do |b|
        ops.each do |op|
          if op.key?('put') then b.put(bytes(op['put']))
          elsif op.key?('delete') then b.delete(op['delete'])
          else raise Failure, "bad batch op #{op.inspect}"
          end
        end
      end
    end

    # "Another process that opens the database for writing and keeps it
    # open": a child Ruby with the same gem and library (the README allows a
    # runner to use its own interpreter instead of the hold_lock helper).
    HOLDER = <<~RUBY
      require 'toonstore'
      begin
        db = ToonStore.open(ARGV[0])
      rescue ToonStore::Error => e
        puts "error \#{e.code}: \#{e.message}"
        exit 1
      end
      puts 'ready'
      $stdout.flush
      $stdin.read
      db.close
    RUBY

    def hold_lock
      stdin, stdout, thread = Open3.popen2(RbConfig.ruby, '-e', HOLDER, @dir)
      line = stdout.gets.to_s
      @holder = [stdin, stdout, thread]
      raise Failure, "hold_lock child said #{line.inspect}" unless line.strip == 'ready'
    end

    def release_lock
      return unless @holder

      stdin, stdout, thread = @holder
      @holder = nil
      stdin.close
      stdout.close
      raise Failure, 'the hold_lock child failed' unless thread.value.success?
    end

    def matches?(step, got)
      expect = step.fetch('expect') { raise Failure, "step #{step['op']}: no expect" }
      kind, value = got
      if expect == 'invalid_id'
        mapped = INVALID_ID.fetch(step['op']) { raise Failure, "invalid_id for op #{step['op']}" }
        expect = case mapped
                 when :absent then 'absent'
                 when false then { 'bool' => false }
                 else { 'error' => mapped }
                 end
      end
      want = expect.is_a?(Hash) && expect.key?('error') ? "error #{expect['error']}" : expect.to_json
      ok =
        if expect.is_a?(Hash) && expect.key?('error') then kind == :error && value == expect['error']
        elsif kind != :ok then false
        elsif expect == 'ok' then true
        elsif expect == 'absent' then value.nil?
        elsif expect == 'end' then value == :end
        elsif expect.is_a?(Hash)
          key, v = expect.first
          case key
          when 'id', 'count' then value == v
          when 'bool' then value == v
          when 'value' then value == bytes(v)
          when 'rows' then value == rows(v)
          when 'row' then value == [v[0], bytes(v[1])]
          when 'ids' then value == v
          else raise Failure, "unknown expectation #{expect.to_json}"
          end
        else raise Failure, "unknown expectation #{expect.to_json}"
        end
      [ok, want]
    end

    def show(got)
      kind, value = got
      case kind
      when :error then "error #{value}"
      when :raised then "exception #{value}"
      else value.nil? ? 'absent (nil)' : value.inspect
      end
    end

    def cleanup
      @iters.each_value(&:close)
      @snaps.each_value(&:close)
      begin
        @db&.close
      rescue ToonStore::Error
        nil
      end
      release_lock
    rescue Failure
      nil
    end
  end
end
