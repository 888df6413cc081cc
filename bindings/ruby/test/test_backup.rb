# frozen_string_literal: true

require_relative 'test_helper'
require 'pathname'

# Online backup and read-only handles beside a writer in another process
# (issue 17).
class TestBackup < Minitest::Test
  include ToonStoreTest

  # A writer in another process: puts each line of stdin and prints its id
  # once the put returned (acknowledged); closes at the end of stdin.
  PUTTER = <<~RUBY
    require 'toonstore'
    db = ToonStore.open(ARGV[0], durability: ARGV[1].to_sym)
    $stdout.sync = true
    puts 'ready'
    $stdin.each_line { |line| puts db.put(line.chomp) }
    db.close
  RUBY

  def test_backup_opens_on_its_own_with_every_row_and_the_same_ids
    dest = File.join(@tmp, 'backup')
    db = open_db
    300.times { |i| db.put("row #{i}") }
    db.delete(7)
    before = db.to_a
    assert_nil db.backup(dest)
    db.put('after the backup')
    db.close
    ToonStore.open(dest) do |copy|
      assert_equal before, copy.to_a
      assert_nil copy[7], 'a row deleted before the backup stays deleted'
      assert_equal 300, copy.put('next'), 'ids continue after those of the copy'
    end
    assert_equal 300, ToonStore.open(@dir, &:size), 'the original is untouched'
  end

  def test_backup_to_a_pathname_and_into_an_empty_directory
    empty = File.join(@tmp, 'empty')
    Dir.mkdir(empty)
    db = open_db
    db.put('x')
    db.backup(Pathname(File.join(@tmp, 'pathname')))
    db.backup(empty)
    [File.join(@tmp, 'pathname'), empty].each do |dest|
      assert_equal [[0, 'x']], ToonStore.open(dest, &:to_a)
    end
  end

  def test_backup_refuses_a_destination_that_exists_and_leaves_it_as_it_was
    full = File.join(@tmp, 'full')
    Dir.mkdir(full)
    File.write(File.join(full, 'keep.txt'), 'mine')
    file = File.join(@tmp, 'file')
    File.write(file, 'a file')
    db = open_db
    db.put('x')
    [full, file, @dir, ''].each do |dest|
      e = assert_raises(ToonStore::InvalidArgumentError) { db.backup(dest) }
      assert_equal 'TOONSTORE_ERR_INVALID_ARG', e.code
    end
    assert_raises(TypeError) { db.backup(nil) }
    assert_raises(TypeError) { db.backup(42) }
    assert_raises(ArgumentError) { db.backup("bad\0path") }
    assert_equal ['keep.txt'], Dir.children(full)
    assert_equal 'mine', File.read(File.join(full, 'keep.txt'))
    assert_equal 'a file', File.read(file)
    assert_equal 1, db.size
  end

  def test_backup_to_a_place_that_cannot_be_written_raises_io_error_and_leaves_nothing
    file = File.join(@tmp, 'file')
    File.write(file, 'not a directory')
    missing = File.join(@tmp, 'gone', 'backup')
    db = open_db
    db.put('x')
    [File.join(file, 'backup'), missing].each do |dest|
      e = assert_raises(ToonStore::IOError) { db.backup(dest) }
      assert_equal 'TOONSTORE_ERR_IO', e.code
    end
    refute File.exist?(missing)
    assert_equal 'not a directory', File.read(file)
    db.put('still writable')
    assert_equal 2, db.size
  end

  def test_backup_and_refresh_on_a_closed_handle
    db = open_db
    db.close
    dest = File.join(@tmp, 'backup')
    assert_equal 'TOONSTORE_ERR_CLOSED', assert_raises(ToonStore::ClosedError) { db.backup(dest) }.code
    assert_equal 'TOONSTORE_ERR_CLOSED', assert_raises(ToonStore::ClosedError) { db.refresh }.code
    refute File.exist?(dest)
  end

  def test_refresh_on_a_writable_handle_or_one_sharing_it_does_nothing
    db = open_db
    ToonStore.open(@dir, read_only: true) do |ro|
      db.put('a')
      assert_equal 1, ro.size, 'a read-only handle sharing the writable engine sees writes at once'
      assert_nil db.refresh
      assert_nil ro.refresh
      db.put('b')
      assert_equal [[0, 'a'], [1, 'b']], db.to_a
      assert_equal [[0, 'a'], [1, 'b']], ro.to_a
    end
  end

  %i[off normal full].each do |durability|
    define_method(:"test_a_reader_beside_a_writer_process_sees_new_rows_after_refresh_#{durability}") do
      reader_beside_a_writer(durability)
    end
  end

  private

  def reader_beside_a_writer(durability)
    dest = File.join(@tmp, 'backup')
    stdin, stdout, thread = spawn_child(PUTTER, @dir, durability.to_s)
    put = lambda do |value|
      stdin.puts(value)
      stdin.flush
      Integer(stdout.gets)
    end
    assert_equal "ready\n", stdout.gets
    want = Array.new(20) { |i| [put.call("before #{i}"), "before #{i}"] }
    assert_raises(ToonStore::LockedError) { ToonStore.open(@dir) }
    ToonStore.open(@dir, read_only: true) do |reader|
      assert_equal want, reader.to_a, 'every row acknowledged before the open'
      later = put.call('later')
      assert_nil reader[later], 'a read-only open is a fixed state until refresh'
      snap = reader.snapshot
      reader.refresh
      assert_equal 'later', reader[later]
      assert_nil snap[later], 'a snapshot taken before keeps its state'
      snap.close
      want << [later, 'later']
      reader.backup(dest)
      more = put.call('after the backup')
      reader.refresh
      assert_equal 'after the backup', reader[more]
    end
    stdin.close
    assert thread.value.success?
    assert_equal want, ToonStore.open(dest, read_only: true, &:to_a), "the backup holds the reader's state"
  ensure
    stdin&.close unless stdin&.closed?
  end
end
