# frozen_string_literal: true

require_relative 'test_helper'

# Other processes: the write lock, a kill -9 in the middle of writes, and
# what a reopen finds.
class TestProcesses < Minitest::Test
  include ToonStoreTest

  HOLDER = <<~RUBY
    require 'toonstore'
    db = ToonStore.open(ARGV[0])
    db.put('from the holder')
    $stdout.puts 'ready'
    $stdout.flush
    $stdin.read # until the parent closes our stdin
    db.close
  RUBY

  def test_a_second_process_is_refused_with_a_lock_error
    stdin, stdout, thread = spawn_child(HOLDER, @dir)
    assert_equal "ready\n", stdout.gets
    e = assert_raises(ToonStore::LockedError) { ToonStore.open(@dir) }
    assert_equal 'TOONSTORE_ERR_LOCKED', e.code
    assert_equal(-5, e.number)
    assert_match(/locked/, e.message)
    stdin.close
    assert thread.value.success?
    assert_equal [[0, 'from the holder']], ToonStore.open(@dir, &:to_a), 'opens once the holder is gone'
  end

  def test_this_process_holding_the_lock_refuses_a_child
    db = open_db
    db.put('mine')
    out, err, status = ruby_child(<<~RUBY, @dir)
      require 'toonstore'
      begin
        ToonStore.open(ARGV[0])
        puts 'opened'
      rescue ToonStore::LockedError => e
        puts e.code
      end
    RUBY
    assert status.success?, err
    assert_equal "TOONSTORE_ERR_LOCKED\n", out
    assert_equal 'mine', db[0]
  end

  def test_read_only_opens_while_no_writer_holds_the_database
    ToonStore.open(@dir) { |db| db.put('a') }
    out, err, status = ruby_child(<<~RUBY, @dir)
      require 'toonstore'
      ToonStore.open(ARGV[0], read_only: true) { |db| print db[0] }
    RUBY
    assert status.success?, err
    assert_equal 'a', out
  end

  def test_reopen_finds_every_row_and_continues_the_ids
    rows = Array.new(1000) { |i| "users[#{i}]{id,name}: #{i},Name#{i}" + ("\x00\xff".b * (i % 7)) }
    ToonStore.open(@dir) do |db|
      rows.each { |r| db.put(r) }
      (0...1000).step(10) { |id| db.delete(id) }
    end
    ToonStore.open(@dir) do |db|
      assert_equal 900, db.size
      rows.each_with_index do |r, id|
        if (id % 10).zero?
          assert_nil db[id]
        else
          assert_equal r.b, db[id]
        end
      end
      assert_equal 1000, db.put('next')
    end
  end

  WRITER = <<~RUBY
    require 'toonstore'
    db = ToonStore.open(ARGV[0], durability: ARGV[1].to_sym)
    i = 0
    loop do
      id = db.put("row \#{i} " + ('x' * (i % 50)))
      $stdout.puts "\#{i} \#{id}"
      $stdout.flush
      i += 1
    end
  RUBY

  def test_kill_9_loses_no_acknowledged_row
    %w[normal off].each do |durability|
      dir = File.join(@tmp, "kill-#{durability}")
      stdin, stdout, thread = spawn_child(WRITER, dir, durability)
      acked = {}
      while (line = stdout.gets)
        i, id = line.split.map(&:to_i)
        acked[id] = "row #{i} " + ('x' * (i % 50))
        break if acked.size >= 3000
      end
      Process.kill('KILL', thread.pid)
      refute thread.value.success?
      stdin.close
      stdout.close
      ToonStore.open(dir) do |db|
        acked.each { |id, data| assert_equal data, db[id], "#{durability}: row #{id} acknowledged before kill -9" }
        assert_operator db.size, :>=, acked.size
        assert_operator db.put('after'), :>=, acked.size
      end
    end
  end

  def test_a_forked_child_cannot_use_the_parents_handle_and_leaves_it_alone
    db = open_db
    db.put('parent')
    snap = db.snapshot
    cursor = db.cursor
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      results = {
        put: -> { db.put('child') }, get: -> { db.get(0) }, delete: -> { db.delete(0) },
        scan: -> { db.to_a }, batch: -> { db.batch { |b| b.put('child') } }, sync: -> { db.sync },
        snapshot_get: -> { snap[0] }, cursor: -> { cursor.next_row }
      }.map do |name, call|
        call.call
        "#{name}: no error"
      rescue ToonStore::Error => e
        "#{name}: #{e.class} #{e.code}"
      end
      db.close # forgets the parent's handle; the library is not called
      writer.puts(results, db.closed?)
      writer.close
    end # a normal exit: the child's finalizers run, and leave the handle alone
    writer.close
    lines = reader.read.split("\n")
    _, status = Process.wait2(pid)
    assert status.success?
    expected = %w[put get delete scan batch sync snapshot_get cursor].map { |n| "#{n}: ToonStore::ForkedError TOONSTORE_ERR_FORKED" }
    assert_equal expected + ['true'], lines
    # The parent's handle, snapshot and cursor are untouched, and it still holds the lock.
    assert_equal [0, 'parent'], cursor.next_row
    assert_equal 'parent', snap[0]
    assert_equal 1, db.put('parent again')
    out, = ruby_child("require 'toonstore'; begin; ToonStore.open(ARGV[0]); rescue ToonStore::Error => e; print e.code; end", @dir)
    assert_equal 'TOONSTORE_ERR_LOCKED', out
    db.close
    assert_equal [[0, 'parent'], [1, 'parent again']], ToonStore.open(@dir, &:to_a)
  end

  def test_a_child_exiting_with_inherited_handles_prints_nothing_and_harms_nothing
    db = open_db
    db.put('parent')
    out, err, status = ruby_child(<<~RUBY, @dir)
      require 'toonstore'
      db = ToonStore.open(ARGV[0] + '-child-owned')
      db.put('x')
      pid = fork { exit(0) } # finalizers of the inherited handle run in the child
      Process.wait(pid)
      print db.get(0)
    RUBY
    assert status.success?, err
    assert_equal '', err, 'no panic or warning from the child'
    assert_equal 'x', out
    assert_equal 'parent', db[0]
  end
end
