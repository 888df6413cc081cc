# frozen_string_literal: true

require_relative 'test_helper'
require 'pathname'

# Every call of the API, on the paths a user relies on.
class TestApi < Minitest::Test
  include ToonStoreTest

  def test_open_returns_an_open_handle_and_new_is_the_same
    db = ToonStore.open(@dir)
    assert_instance_of ToonStore, db
    refute db.closed?
    assert_equal @dir, db.path
    assert db.path.frozen?
    db.close
    db2 = ToonStore.new(Pathname(@dir))
    assert_equal @dir, db2.path
    db2.close
  end

  def test_block_form_returns_the_block_value_and_closes
    seen = nil
    value = ToonStore.open(@dir) do |db|
      seen = db
      db.put('data')
      :the_value
    end
    assert_equal :the_value, value
    assert seen.closed?
    assert_equal 'data', ToonStore.open(@dir) { |db| db.get(0) }
  end

  def test_block_form_closes_on_an_exception_and_keeps_acknowledged_rows
    seen = nil
    assert_raises(RuntimeError) do
      ToonStore.open(@dir) do |db|
        seen = db
        db.put('kept')
        raise 'boom'
      end
    end
    assert seen.closed?
    assert_equal 'kept', ToonStore.open(@dir) { |db| db[0] }
  end

  def test_a_second_open_in_the_same_process_shares_the_database
    a = open_db
    b = ToonStore.open(@dir)
    id = a.put('from a')
    assert_equal 'from a', b[id]
    assert_equal id + 1, b.put('from b')
    b.close
    assert_equal [[0, 'from a'], [1, 'from b']], a.to_a, 'closing one handle leaves the other open'
    assert_raises(ToonStore::ClosedError) { b.get(0) }
  end

  def test_put_returns_increasing_integer_ids
    db = open_db
    ids = Array.new(5) { |i| db.put("row #{i}") }
    assert_equal [0, 1, 2, 3, 4], ids
    ids.each { |id| assert_kind_of Integer, id }
    db.delete(4)
    assert_equal 5, db.put('after a delete'), 'ids are never reused'
  end

  def test_get_returns_binary_strings_of_the_stored_bytes
    db = open_db
    utf8 = db.put('héllo ✓')
    bin = db.put("\x00\xff\x00ab".b)
    empty = db.put('')
    big_data = Random.new(7).bytes(100_000)
    big = db.put(big_data)
    latin = db.put((+"caf\xe9").force_encoding('ISO-8859-1'))

    assert_equal 'héllo ✓'.b, db.get(utf8)
    assert_equal Encoding::BINARY, db.get(utf8).encoding
    assert_equal "\x00\xff\x00ab".b, db.get(bin)
    assert_equal '', db.get(empty)
    assert_equal Encoding::BINARY, db.get(empty).encoding
    assert_equal big_data, db.get(big), 'rows larger than the stack buffer'
    assert_equal Encoding::BINARY, db.get(big).encoding
    assert_equal "caf\xe9".b, db.get(latin)
    refute db.get(utf8).frozen?
  end

  def test_get_gives_nil_for_missing_deleted_and_impossible_ids
    db = open_db
    id = db.put('x')
    assert_nil db.get(id + 1)
    assert_nil db.get(-1)
    assert_nil db.get(2**63)
    assert_nil db.get(2**100)
    assert_nil db.get(-(2**100))
    db.delete(id)
    assert_nil db.get(id)
    assert_nil db[id]
  end

  def test_index_operator_and_fetch
    db = open_db
    id = db.put('v')
    assert_equal 'v', db[id]
    assert_nil db[99]
    assert_equal 'v', db.fetch(id)
    assert_equal :d, db.fetch(99, :d)
    assert_equal 100, db.fetch(99) { |i| i + 1 }
    e = assert_raises(ToonStore::NotFoundError) { db.fetch(99) }
    assert_equal 'TOONSTORE_ERR_NOT_FOUND', e.code
    assert_raises(ArgumentError) { db.fetch(1, 2, 3) }
  end

  def test_delete_and_include
    db = open_db
    id = db.put('x')
    assert db.include?(id)
    assert db.key?(id)
    assert_nil db.delete(id)
    refute db.include?(id)
    refute db.include?(-5)
    refute db.include?(2**70)
    e = assert_raises(ToonStore::NotFoundError) { db.delete(id) }
    assert_equal 'TOONSTORE_ERR_NOT_FOUND', e.code
    assert_raises(ToonStore::NotFoundError) { db.delete(-1) }
    assert_raises(ToonStore::NotFoundError) { db.delete(2**64) }
  end

  def test_scan_with_a_block_yields_rows_in_id_order_and_returns_self
    db = open_db
    %w[a b c d].each { |v| db.put(v) }
    db.delete(1)
    rows = []
    assert_same db, db.scan { |row_id, data| rows << [row_id, data] }
    assert_equal [[0, 'a'], [2, 'c'], [3, 'd']], rows
    rows.each { |_, data| assert_equal Encoding::BINARY, data.encoding }
    from = []
    db.scan(2) { |row_id, data| from << [row_id, data] }
    assert_equal [[2, 'c'], [3, 'd']], from
    assert_equal [[0, 'a'], [2, 'c'], [3, 'd']], db.scan(-3).to_a
    assert_equal [], db.scan(2**70).to_a
  end

  def test_scan_range_bounds_reverse_and_the_last_rows
    db = open_db
    10.times { |i| db.put("r#{i}") }
    db.delete(3)
    db.delete(9)
    ids = ->(enum) { enum.map(&:first) }
    assert_equal [2, 4, 5], ids.(db.scan(2, 6))
    assert_equal [5, 4, 2], ids.(db.scan(2, 6, reverse: true))
    assert_equal [8, 7, 6, 5, 4, 2, 1, 0], ids.(db.scan(reverse: true))
    assert_equal [8, 7], db.reverse_each.first(2).map(&:first)
    assert_equal [[8, 'r8'], [7, 'r7']], db.scan(reverse: true).first(2)
    assert_equal [8, 7], ids.(db.scan(7, 2**70, reverse: true))
    assert_equal [], db.scan(4, 4, reverse: true).to_a
    assert_equal [], db.scan(-5, -1).to_a
    assert_equal [1, 0], ids.(db.scan(-5, 2, reverse: true))
    rows = []
    assert_same db, db.reverse_each { |id, data| rows << [id, data] }
    assert_equal [8, 'r8'], rows.first
    e = assert_raises(ToonStore::InvalidArgumentError) { db.scan(5, 4).to_a }
    assert_equal 'TOONSTORE_ERR_INVALID_ARG', e.code
    assert_raises(ToonStore::InvalidArgumentError) { db.scan(0, -1, reverse: true).to_a }
    assert_raises(TypeError) { db.scan(0, '5') }
    assert_raises(TypeError) { db.scan(reverse: 1) }
    snap = db.snapshot
    db.put('later')
    assert_equal [8, 7, 6], ids.(snap.scan(6, nil, reverse: true))
    assert_equal 8, snap.reverse_each.first.first
    assert_raises(ToonStore::InvalidArgumentError) { snap.scan(2, 1).to_a }
    snap.close
    assert_equal [10], ids.(db.scan(9, reverse: true))
  end

  def test_scan_block_arity_one_gets_the_pair
    db = open_db
    db.put('a')
    pairs = []
    db.scan { |row| pairs << row }
    assert_equal [[0, 'a']], pairs
    lam = []
    db.scan(&->(id, data) { lam << [id, data] })
    assert_equal [[0, 'a']], lam
  end

  def test_scan_without_a_block_is_an_enumerator
    db = open_db
    %w[a b c].each { |v| db.put(v) }
    enum = db.scan
    assert_kind_of Enumerator, enum
    assert_equal 3, enum.size
    assert_nil db.scan(1).size
    assert_equal [0, 'a'], enum.next
    assert_equal [1, 'b'], enum.next
    assert_equal [2, 'c'], enum.next
    assert_raises(StopIteration) { enum.next }
    assert_raises(StopIteration) { enum.next }
    assert_equal [[1, 'b'], [2, 'c']], db.scan(1).to_a
    assert_raises(TypeError) { db.scan('0') }
  end

  def test_scan_reads_a_snapshot
    db = open_db
    %w[a b].each { |v| db.put(v) }
    seen = []
    db.scan do |row_id, data|
      seen << [row_id, data]
      db.put('added during the scan') if row_id.zero?
      db.delete(1) if row_id.zero?
    end
    assert_equal [[0, 'a'], [1, 'b']], seen
    assert_equal [[0, 'a'], [2, 'added during the scan']], db.to_a
  end

  def test_a_scan_outlives_the_close_of_its_database
    db = open_db
    %w[a b c].each { |v| db.put(v) }
    seen = []
    db.scan do |row_id, data|
      seen << [row_id, data]
      db.close if row_id.zero?
    end
    assert_equal [[0, 'a'], [1, 'b'], [2, 'c']], seen, 'the scan reads its snapshot to the end'
    assert db.closed?
  end

  def test_breaking_out_of_a_scan_and_abandoned_enumerators
    db = open_db
    10.times { |i| db.put(i.to_s) }
    found = db.scan { |row_id, _| break row_id if row_id == 3 }
    assert_equal 3, found
    200.times { db.scan.next } # abandoned half way; the GC frees them
    GC.start
    assert_equal 10, db.count
  end

  def test_enumerable
    db = open_db
    %w[x y z].each { |v| db.put(v) }
    assert_includes ToonStore.ancestors, Enumerable
    assert_equal [[0, 'x'], [1, 'y'], [2, 'z']], db.to_a
    assert_equal({ 0 => 'x', 1 => 'y', 2 => 'z' }, db.to_h)
    assert_equal [0, 'x'], db.first
    assert_equal [[0, 'x'], [1, 'y']], db.first(2)
    assert_equal %w[x y z], db.map { |_, data| data }
    assert_equal [[1, 'y']], db.select { |_, data| data == 'y' }
    assert_equal 2, db.count { |_, data| data > 'x' }
    assert_equal 3, db.count
    assert_equal 3, db.size
    assert_equal 3, db.length
    refute db.empty?
    assert_equal [[0, 'x'], 0], db.each_with_index.first
    assert_equal 3, db.each.size
    ids = []
    assert_same db, db.each { |row_id, _| ids << row_id }
    assert_equal [0, 1, 2], ids
  end

  def test_cursor
    db = open_db
    %w[a b c].each { |v| db.put(v) }
    cur = db.cursor(1)
    refute cur.closed?
    assert_equal [1, 'b'], cur.next_row
    assert_equal [2, 'c'], cur.next_row
    assert_nil cur.next_row
    assert cur.closed?, 'released at the end'
    assert_nil cur.next_row
    cur2 = db.cursor
    assert_equal [0, 'a'], cur2.next_row
    assert_equal [[1, 'b'], [2, 'c']], cur2.each.to_a
    cur3 = db.cursor
    cur3.close
    assert cur3.closed?
    assert_nil cur3.next_row
  end

  def test_batch_block_commits_when_the_block_returns
    db = open_db
    old = db.put('old')
    ids = db.batch do |b|
      b.put('one')
      b << 'two'
      b.delete(old)
      assert_equal 3, b.size
    end
    assert_equal [1, 2], ids
    assert_equal 'one', db[1]
    assert_equal 'two', db[2]
    assert_nil db[old]
    assert_equal [], db.batch { |_| nil }, 'an empty batch commits nothing'
  end

  def test_batch_block_is_discarded_on_an_exception_and_on_break
    db = open_db
    db.put('a')
    kept = nil
    assert_raises(RuntimeError) do
      db.batch do |b|
        kept = b
        b.put('never')
        b.delete(0)
        raise 'boom'
      end
    end
    assert kept.done?
    [1, 2].each do
      db.batch do |b|
        b.put('never either')
        break
      end
    end
    assert_equal [[0, 'a']], db.to_a
    assert_equal 1, db.put('next'), 'a discarded batch assigns no ids'
  end

  def test_batch_is_all_or_nothing
    db = open_db
    db.put('a')
    e = assert_raises(ToonStore::NotFoundError) do
      db.batch do |b|
        b.put('p')
        b.delete(0)
        b.delete(7) # absent: the whole batch fails
      end
    end
    assert_equal 'TOONSTORE_ERR_NOT_FOUND', e.code
    assert_equal [[0, 'a']], db.to_a
    assert_equal 1, db.put('b')
    assert_raises(ToonStore::NotFoundError) { db.batch { |b| b.delete(-1) } }
  end

  def test_batch_without_a_block
    db = open_db
    b = db.batch
    assert_instance_of ToonStore::Batch, b
    b.put('a').put('b')
    b.clear
    assert_equal 0, b.size
    b.put('c')
    refute b.done?
    assert_equal [0], b.commit
    assert b.done?
    assert_equal 0, b.size
    e = assert_raises(ToonStore::InvalidArgumentError) { b.put('again') }
    assert_equal 'TOONSTORE_ERR_INVALID_ARG', e.code
    assert_raises(ToonStore::InvalidArgumentError) { b.commit }
    assert_raises(ToonStore::InvalidArgumentError) { b.delete(0) }
    assert_raises(ToonStore::InvalidArgumentError) { b.clear }
    d = db.batch
    d.put('dropped')
    assert_nil d.discard
    assert_nil d.discard
    assert_equal [[0, 'c']], db.to_a
    assert_raises(TypeError) { ToonStore::Batch.new('not a db') }
  end

  def test_snapshot
    db = open_db
    db.put('a')
    db.put('b')
    snap = db.snapshot
    db.put('c')
    db.delete(0)
    assert_equal 'a', snap.get(0)
    assert_equal 'b', snap[1]
    assert_equal Encoding::BINARY, snap[1].encoding
    assert_nil snap[2]
    assert_nil snap[-1]
    assert snap.include?(0)
    refute snap.include?(2)
    assert_equal [[0, 'a'], [1, 'b']], snap.to_a
    assert_equal [[1, 'b']], snap.scan(1).to_a
    assert_equal [[0, 'a'], [1, 'b']], snap.cursor.each.to_a
    db.close
    assert_equal 'a', snap[0], 'a snapshot outlives its database handle'
    snap.close
    assert snap.closed?
    e = assert_raises(ToonStore::ClosedError) { snap[0] }
    assert_equal 'TOONSTORE_ERR_CLOSED', e.code
    assert_raises(ToonStore::ClosedError) { snap.to_a }
  end

  def test_snapshot_block_form
    db = open_db
    db.put('a')
    kept = nil
    value = db.snapshot do |s|
      kept = s
      s[0]
    end
    assert_equal 'a', value
    assert kept.closed?
  end

  def test_sync_compact_and_stats
    db = open_db
    ids = Array.new(200) { |i| db.put("row #{i} " + ('x' * 100)) }
    ids.first(150).each { |id| db.delete(id) }
    assert_nil db.sync
    before = db.stats
    assert_equal %i[live_rows deleted_rows next_row_id live_bytes disk_bytes segment_count garbage_fraction].sort,
                 before.keys.sort
    assert_equal 50, before[:live_rows]
    assert_equal 150, before[:deleted_rows]
    assert_equal 200, before[:next_row_id]
    assert_kind_of Float, before[:garbage_fraction]
    assert_operator before[:garbage_fraction], :>, 0.5
    assert_nil db.compact
    after = db.stats
    assert_operator after[:garbage_fraction], :<, before[:garbage_fraction]
    assert_equal 50, after[:live_rows]
    ids.last(50).each { |id| assert_equal "row #{id} " + ('x' * 100), db[id] }
    assert_equal 200, db.put('next'), 'compaction keeps the id sequence'
  end

  def test_close_is_idempotent_and_every_call_after_it_raises_closed_error
    db = open_db
    db.put('a')
    assert_nil db.close
    assert_nil db.close
    assert db.closed?
    assert_match(/closed/, db.inspect)
    calls = {
      put: -> { db.put('x') }, get: -> { db.get(0) }, index: -> { db[0] }, fetch: -> { db.fetch(0) },
      get_invalid: -> { db.get(-1) }, include: -> { db.include?(0) }, delete: -> { db.delete(0) },
      scan: -> { db.scan { nil } }, scan_enum: -> { db.scan.to_a }, each: -> { db.each { nil } },
      cursor: -> { db.cursor }, batch: -> { db.batch { |b| b.put('x') } }, snapshot: -> { db.snapshot },
      sync: -> { db.sync }, compact: -> { db.compact }, stats: -> { db.stats }, size: -> { db.size },
      count: -> { db.count }
    }
    calls.each do |name, call|
      e = assert_raises(ToonStore::ClosedError, name.to_s) { call.call }
      assert_equal 'TOONSTORE_ERR_CLOSED', e.code, name.to_s
    end
  end

  def test_a_batch_of_a_closed_database_cannot_commit
    db = open_db
    b = db.batch
    b.put('x')
    db.close
    assert_raises(ToonStore::ClosedError) { b.commit }
  end

  def test_options
    db = open_db(durability: :full, sync_interval: 0.25, verify_checksums: false,
                 max_value_size: 1024, segment_size: 1 << 20)
    assert_equal :full, db.durability
    refute db.read_only?
    id = db.put('durable')
    assert_equal 'durable', db[id]
    db.close
    %i[off normal full].each do |mode|
      ToonStore.open(@dir, durability: mode) do |d|
        assert_equal mode, d.durability
        d.put(mode.to_s)
      end
    end
    ToonStore.open(@dir, durability: 'off') { |d| assert_equal :off, d.durability }
    assert_equal %w[durable off normal full], ToonStore.open(@dir) { |d| d.map { |_, v| v } }
  end

  def test_put_with_a_durability_per_call
    db = open_db(durability: :off)
    a = db.put('a', durability: :full)
    b = db.put('b', durability: :normal)
    c = db.put('c', durability: nil)
    assert_equal [0, 1, 2], [a, b, c]
    assert_equal 'a', db[a]
    assert_raises(ArgumentError) { db.put('x', durability: :sometimes) }
    assert_raises(TypeError) { db.put('x', durability: 1) }
    assert_raises(ArgumentError) { db.put('x', speed: :fast) }
  end

  def test_read_only
    ToonStore.open(@dir) { |db| db.put('a') }
    db = open_db(read_only: true)
    assert db.read_only?
    assert_equal 'a', db[0]
    assert_equal [[0, 'a']], db.to_a
  end

  def test_versions
    assert_equal ToonStore::VERSION, ToonStore.library_version
    assert_match(/\A\d+\.\d+\.\d+\z/, ToonStore::VERSION)
    assert ToonStore::VERSION.frozen?
  end
end
