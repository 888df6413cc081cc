using System;
using System.IO;
using System.Text;
using NUnit.Framework;

namespace ToonStore.Tests
{
    /// <summary>A fresh temporary directory per test (removed afterwards).</summary>
    public abstract class TestBase
    {
        protected string Tmp;
        protected string Dir;

        [SetUp]
        public void MakeTmp()
        {
            Tmp = Path.Combine(Path.GetTempPath(), "toonstore-cs-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Tmp);
            Dir = Path.Combine(Tmp, "db");
        }

        [TearDown]
        public void RemoveTmp()
        {
            try { Directory.Delete(Tmp, true); } catch (IOException) { }
        }

        protected static byte[] B(string s) { return Encoding.UTF8.GetBytes(s); }

        protected static string S(byte[] b) { return b == null ? null : Encoding.UTF8.GetString(b); }

        protected static ToonStoreException ThrowsCode(ErrorCode code, TestDelegate call)
        {
            var e = Assert.Throws<ToonStoreException>(call);
            Assert.AreEqual(code, e.Code, e.Message);
            Assert.AreEqual(ErrorNames.Of(code), e.ErrorName);
            Assert.IsTrue(e.Message.StartsWith(e.ErrorName + ": "), e.Message);
            Assert.IsNotEmpty(e.EngineMessage);
            return e;
        }

        /// <summary>The repository root (TOONSTORE_TEST_ROOT, set by the suite script).</summary>
        protected static string Root
        {
            get
            {
                string r = Environment.GetEnvironmentVariable("TOONSTORE_TEST_ROOT");
                Assert.IsNotNull(r, "TOONSTORE_TEST_ROOT is not set (run build_and_test.sh)");
                return r;
            }
        }

        /// <summary>The helper program tests/Child/Child.cs (TOONSTORE_TEST_CHILD).</summary>
        protected static string ChildExe
        {
            get
            {
                string c = Environment.GetEnvironmentVariable("TOONSTORE_TEST_CHILD");
                Assert.IsNotNull(c, "TOONSTORE_TEST_CHILD is not set (run build_and_test.sh)");
                return c;
            }
        }
    }
}
