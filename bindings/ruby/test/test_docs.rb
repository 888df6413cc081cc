# frozen_string_literal: true

require_relative 'test_helper'

# The Ruby examples of docs/ruby/README.md run as written, each in a child
# process, with their directories moved under a temporary folder. The first
# example, the roadmap's, is run by test_roadmap.rb.
class TestDocs < Minitest::Test
  include ToonStoreTest

  README = File.expand_path('../../../docs/ruby/README.md', __dir__)
  BLOCKS = File.read(README).scan(/^```ruby\n(.*?)^```/m).flatten
  PATHS = %w[/path/to/db /tmp/users-db /var/lib/app/db].freeze

  def test_the_readme_has_the_roadmap_example_first
    assert_operator BLOCKS.size, :>=, 3
    assert_includes BLOCKS.first, "db = ToonStore.open('/path/to/db')"
  end

  BLOCKS.drop(1).each_with_index do |code, i|
    define_method("test_readme_example_#{i + 2}") do
      PATHS.each { |p| code = code.gsub(p, File.join(@tmp, p.tr('/', '_'))) }
      _, err, status = ruby_child(code)
      assert status.success?, "example #{i + 2} failed:\n#{err}"
      assert_empty err
    end
  end
end
