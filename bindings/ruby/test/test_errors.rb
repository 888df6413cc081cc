# frozen_string_literal: true

require_relative 'test_helper'

# Every error: the engine's (a ToonStore::Error subclass carrying the C
# name and the message) and Ruby's own for wrong arguments. Bad input never
# loses data.
class TestErrors < Minitest::Test
  include ToonStoreTest

  CLASSES = {
    -1 => [ToonStore::InvalidArgumentError, 'TOONSTORE_ERR_INVALID_ARG'],
    -2 => [ToonStore::NotFoundError, 'TOONSTORE_ERR_NOT_FOUND'],
    -3 => [ToonStore::IOError, 'TOONSTORE_ERR_IO'],
    -4 => [ToonStore::CorruptError, 'TOONSTORE_ERR_CORRUPT'],
    -5 => [ToonStore::LockedError, 'TOONSTORE_ERR_LOCKED'],
    -6 => [ToonStore::TooLargeError, 'TOONSTORE_ERR_TOO_LARGE'],
    -7 => [ToonStore::ReadOnlyError, 'TOONSTORE_ERR_READ_ONLY'],
    -8 => [ToonStore::VersionError, 'TOONSTORE_ERR_VERSION'],
    -9 => [ToonStore::OutOfMemoryError, 'TOONSTORE_ERR_NOMEM'],
    -10 => [ToonStore::InternalError, 'TOONSTORE_ERR_INTERNAL'],
    -11 => [ToonStore::ClosedError, 'TOONSTORE_ERR_CLOSED'],
    -12 => [ToonStore::BufferTooSmallError, 'TOONSTORE_ERR_BUFFER_TOO_SMALL'],
    -13 => [ToonStore::PoisonedError, 'TOONSTORE_ERR_POISONED'],
    -14 => [ToonStore::ForkedError, 'TOONSTORE_ERR_FORKED']
  }.freeze

  def test_every_code_maps_to_its_class_and_c_name
    assert_operator ToonStore::Error, :<, StandardError
    CLASSES.each do |number, (klass, name)|
      assert_operator klass, :<, ToonStore::Error
      e = ToonStore::Error.from_code(number, 'the engine says')
      assert_instance_of klass, e
      assert_equal name, e.code
      assert_equal number, e.number
      assert_equal 'the engine says', e.message
      assert_equal name, klass::CODE
      fresh = klass.new('raised by hand')
      assert_equal name, fresh.code
      assert_equal number, fresh.number
    end
  end

  def test_library_names_agree_with_the_table
    CLASSES.each do |number, (_, name)|
      from_lib = ToonStore::Native.error_name(number)
      assert_equal name, from_lib if from_lib # the library may predate toonstore_error_name
      refute_empty ToonStore::Native.strerror(number)
    end
  end

  def test_an_unknown_code_is_a_plain_error
    e = ToonStore::Error.from_code(-999, nil)
    assert_instance_of ToonStore::Error, e
    assert_match(/TOONSTORE_ERR_/, e.code)
    assert_equal(-999, e.number)
    refute_empty e.message
  end

  def test_io_error
    File.write(File.join(@tmp, 'file'), 'x')
    e = assert_raises(ToonStore::IOError) { ToonStore.open(File.join(@tmp, 'file', 'db')) }
    assert_equal 'TOONSTORE_ERR_IO', e.code
    assert_match(/Not a directory|file/, e.message)
    e = assert_raises(ToonStore::IOError) { ToonStore.open(@dir, create_if_missing: false) }
    assert_match(/no database/, e.message)
    refute File.exist?(@dir), 'nothing created'
  end

  def test_corrupt_error
    ToonStore.open(@dir) { |db| 10.times { |i| db.put("row number #{i}" * 3) } }
    seg = Dir[File.join(@dir, '*.seg')].first
    bytes = File.binread(seg)
    bytes.setbyte(100, bytes.getbyte(100) ^ 0xff)
    File.binwrite(seg, bytes)
    e = assert_raises(ToonStore::CorruptError) { ToonStore.open(@dir) }
    assert_equal 'TOONSTORE_ERR_CORRUPT', e.code
    assert_match(/checksum/, e.message)
  end

  def test_check_reports_damage_and_refuses_a_database_in_use
    ToonStore.open(@dir) { |db| 10.times { |i| db.put("row number #{i}" * 3) } }
    healthy = ToonStore.check(@dir)
    assert_equal true, healthy[:healthy]
    assert_equal 10, healthy[:records]
    assert_equal 10, healthy[:live_rows]
    assert_nil healthy[:first_problem]
    db = ToonStore.open(@dir)
    e = assert_raises(ToonStore::LockedError) { ToonStore.check(@dir) }
    assert_equal 'TOONSTORE_ERR_LOCKED', e.code
    db.close
    seg = Dir[File.join(@dir, '*.seg')].first
    bytes = File.binread(seg)
    bytes.setbyte(100, bytes.getbyte(100) ^ 0xff)
    File.binwrite(seg, bytes)
    damaged = ToonStore.check(@dir)
    assert_equal false, damaged[:healthy]
    assert_match(/\.seg/, damaged[:first_problem])
    assert_raises(ToonStore::IOError) { ToonStore.check(File.join(@tmp, 'nothing here')) }
    assert_raises(TypeError) { ToonStore.check(42) }
  end

  def test_too_large_error_loses_nothing
    db = open_db(max_value_size: 8)
    assert_equal 0, db.put('12345678')
    e = assert_raises(ToonStore::TooLargeError) { db.put('123456789') }
    assert_equal 'TOONSTORE_ERR_TOO_LARGE', e.code
    assert_match(/9 bytes/, e.message)
    assert_raises(ToonStore::TooLargeError) do
      db.batch do |b|
        b.put('ok')
        b.put('123456789')
      end
    end
    assert_equal [[0, '12345678']], db.to_a
    assert_equal 1, db.put('next')
  end

  def test_read_only_error
    ToonStore.open(@dir) { |db| db.put('a') }
    db = open_db(read_only: true)
    {
      put: -> { db.put('x') }, delete: -> { db.delete(0) }, batch: -> { db.batch { |b| b.put('x') } },
      sync: -> { db.sync }, compact: -> { db.compact }
    }.each do |name, call|
      e = assert_raises(ToonStore::ReadOnlyError, name.to_s) { call.call }
      assert_equal 'TOONSTORE_ERR_READ_ONLY', e.code
    end
    assert_equal [[0, 'a']], db.to_a
  end

  def test_invalid_argument_error_from_the_engine
    e = assert_raises(ToonStore::InvalidArgumentError) { ToonStore.open(@dir, segment_size: 1) }
    assert_equal 'TOONSTORE_ERR_INVALID_ARG', e.code
    assert_match(/segment_size/, e.message)
    e = assert_raises(ToonStore::InvalidArgumentError) { ToonStore.open(@dir, max_value_size: 0) }
    assert_match(/max_value_size/, e.message)
    refute File.exist?(@dir), 'a refused open creates nothing'
  end

  def test_wrong_types_raise_type_error
    db = open_db
    db.put('keep')
    [123, nil, :sym, 1.5, ['a']].each do |bad|
      assert_raises(TypeError, "put(#{bad.inspect})") { db.put(bad) }
      assert_raises(TypeError) { db.batch { |b| b.put(bad) } }
    end
    ['1', 1.0, nil, :a, [1]].each do |bad|
      assert_raises(TypeError, "get(#{bad.inspect})") { db.get(bad) }
      assert_raises(TypeError) { db[bad] }
      assert_raises(TypeError) { db.delete(bad) }
      assert_raises(TypeError) { db.include?(bad) }
      assert_raises(TypeError) { db.cursor(bad) }
      assert_raises(TypeError) { db.batch { |b| b.delete(bad) } }
    end
    assert_raises(TypeError) { ToonStore.open(123) }
    assert_raises(TypeError) { ToonStore.open(nil) }
    assert_raises(TypeError) { ToonStore.open(@dir, read_only: 'yes') }
    assert_raises(TypeError) { ToonStore.open(@dir, create_if_missing: nil) }
    assert_raises(TypeError) { ToonStore.open(@dir, verify_checksums: 1) }
    assert_raises(TypeError) { ToonStore.open(@dir, durability: 2) }
    assert_raises(TypeError) { ToonStore.open(@dir, sync_interval: '1') }
    assert_raises(TypeError) { ToonStore.open(@dir, max_value_size: '8') }
    assert_raises(TypeError) { ToonStore.open(@dir, segment_size: 1.5) }
    assert_equal [[0, 'keep']], db.to_a
  end

  def test_wrong_values_raise_argument_error
    assert_raises(ArgumentError) { ToonStore.open('') }
    assert_raises(ArgumentError) { ToonStore.open("#{@dir}\0x") }
    assert_raises(ArgumentError) { ToonStore.open(@dir, durability: :sometimes) }
    assert_raises(ArgumentError) { ToonStore.open(@dir, sync_interval: -1) }
    assert_raises(ArgumentError) { ToonStore.open(@dir, sync_interval: 10**10) }
    assert_raises(ArgumentError) { ToonStore.open(@dir, max_value_size: 2**64) }
    assert_raises(ArgumentError) { ToonStore.open(@dir, segment_size: -4096) }
    assert_raises(ArgumentError) { ToonStore.open(@dir, colour: :blue) }
    assert_raises(ArgumentError) { ToonStore.open }
    refute File.exist?(@dir), 'a refused open creates nothing'
    db = open_db
    assert_raises(ArgumentError) { db.get }
    assert_raises(ArgumentError) { db.put('a', 'b') }
    assert_raises(ArgumentError) { db.scan(1, 2, 3) }
  end

  def test_nothing_crashes_on_misuse_of_internal_objects
    assert_raises(TypeError) { ToonStore::Cursor.new }
    assert_raises(TypeError) { ToonStore::Snapshot.new }
    raw = ToonStore.allocate
    assert raw.closed?
    assert_raises(ToonStore::ClosedError) { raw.get(0) }
    assert_raises(ToonStore::ClosedError) { raw.put('x') }
    assert_nil raw.close
    assert_raises(ToonStore::InvalidArgumentError) { ToonStore::Batch.allocate.put('x') }
    assert_equal 0, ToonStore::Batch.allocate.size
  end
end
