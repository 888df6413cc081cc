# frozen_string_literal: true

require_relative 'test_helper'

# The roadmap's example (seed/FFI_ROADMAP.md, section 5), run unchanged in a
# child process; the only edit is the directory, since /path/to/db is not
# writable here.
class TestRoadmap < Minitest::Test
  include ToonStoreTest

  EXAMPLE = <<~'RUBY'
    require 'toonstore'

    # Open database
    db = ToonStore.open('/path/to/db')

    # Basic operations
    row_id = db.put('users[1]{id,name}: 1,Alice')
    data = db.get(row_id)
    db.delete(row_id)

    # Iteration
    db.scan do |row_id, data|
      puts "#{row_id}: #{data}"
    end

    # Block syntax
    ToonStore.open('/path/to/db') do |db|
      db.put('data')
    end
  RUBY

  def test_the_roadmap_example_runs_unchanged
    out, err, status = ruby_child(EXAMPLE.gsub('/path/to/db', @dir))
    assert status.success?, "the example failed:\n#{err}"
    assert_equal '', out, 'the only row was deleted before the scan'
    ToonStore.open(@dir) do |db|
      assert_equal [[1, 'data']], db.to_a
    end
  end

  def test_the_example_with_rows_prints_them
    ToonStore.open(@dir) { |db| db.put('users[2]{id,name}: 2,Bob') }
    out, err, status = ruby_child(EXAMPLE.gsub('/path/to/db', @dir))
    assert status.success?, err
    assert_equal "0: users[2]{id,name}: 2,Bob\n", out
  end
end
