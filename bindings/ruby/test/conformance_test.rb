# frozen_string_literal: true

require_relative 'test_helper'
require_relative 'conformance_runner'

# Run by scripts/conformance.sh (`ruby`), not by build_and_test.sh.
# One minitest test per case of the shared conformance vectors; each case
# also goes to $TOONSTORE_CONFORMANCE_REPORT as PASS, FAIL or SKIP.
class TestConformance < Minitest::Test
  CASES = Conformance.cases
  raise "no conformance vectors in #{Conformance.dir}" if CASES.empty?

  CASES.each do |id, kase|
    define_method("test_#{id.tr('/', '__')}") do
      reason = Conformance.skip_reason(kase)
      if reason
        Conformance.report("SKIP #{id}: #{reason}")
        skip reason
      end
      Dir.mktmpdir('toonstore-conformance-') do |root|
        Conformance::Case.new(kase, root).run
        self.assertions += kase['steps'].size # each step was compared
        Conformance.report("PASS #{id}")
      rescue Conformance::Failure => e
        Conformance.report("FAIL #{id}: #{e.message}")
        flunk "#{id}: #{e.message}"
      end
    end
  end
end
