namespace ToonStore
{
    /// <summary>When an acknowledged write reaches stable storage (TOONSTORE_DURABILITY_*).</summary>
    public enum Durability
    {
        /// <summary>No background flush (bulk loads); a write still survives a process crash.</summary>
        Off = 0,
        /// <summary>The default: survives a process crash; flushed every SyncIntervalMs, on Sync and on Dispose.</summary>
        Normal = 1,
        /// <summary>Flushed to stable storage before each write returns.</summary>
        Full = 2,
    }

    /// <summary>
    /// Options for <see cref="ToonStoreDb.Open(string, ToonStoreOptions)"/>. A property left
    /// null keeps the library's default (toonstore_open_options_init), so the defaults
    /// have one source of truth: the engine.
    /// </summary>
    public sealed class ToonStoreOptions
    {
        /// <summary>Durability of writes (library default: Normal).</summary>
        public Durability? Durability { get; set; }
        /// <summary>
        /// Open for reading only; writes fail with ReadOnly (default false). Takes no lock: opens beside
        /// a writer in another process, and sees the database as of its open until
        /// <see cref="ToonStoreDb.Refresh"/>.
        /// </summary>
        public bool? ReadOnly { get; set; }
        /// <summary>Create the directory and database when missing (default true).</summary>
        public bool? CreateIfMissing { get; set; }
        /// <summary>Check each record's CRC when it is read (default true).</summary>
        public bool? VerifyChecksums { get; set; }
        /// <summary>Normal durability: milliseconds between background flushes (default 1000).</summary>
        public uint? SyncIntervalMs { get; set; }
        /// <summary>Largest value accepted, in bytes (default 64 MiB).</summary>
        public ulong? MaxValueSize { get; set; }
        /// <summary>Size of a log segment file in bytes (default 64 MiB).</summary>
        public ulong? SegmentSize { get; set; }
        /// <summary>The version field of the C options struct (default: the version this binding was written for). For tests of version handling.</summary>
        public uint? StructVersion { get; set; }
    }

    /// <summary>Row counts and space of a database (toonstore_stats).</summary>
    public struct ToonStoreStats
    {
        /// <summary>Rows that can be read.</summary>
        public long LiveRows;
        /// <summary>Ids assigned and then deleted.</summary>
        public long DeletedRows;
        /// <summary>The id the next put will receive.</summary>
        public long NextRowId;
        /// <summary>Bytes of the records (8-byte headers included) of live rows.</summary>
        public long LiveBytes;
        /// <summary>Bytes the database's files occupy on disk.</summary>
        public long DiskBytes;
        /// <summary>Segment files.</summary>
        public long SegmentCount;
        /// <summary>Fraction (0..1) of record bytes a compaction would reclaim.</summary>
        public double GarbageFraction;
    }

    /// <summary>What <see cref="ToonStoreDb.Check"/> found.</summary>
    public sealed class CheckReport
    {
        /// <summary>True when no problem was found.</summary>
        public bool Healthy { get; internal set; }
        /// <summary>True when an index checkpoint exists (and was verified).</summary>
        public bool HasCheckpoint { get; internal set; }
        /// <summary>Segment files walked.</summary>
        public long Segments { get; internal set; }
        /// <summary>Records whose checksum was verified.</summary>
        public long Records { get; internal set; }
        /// <summary>Live rows read back through the index.</summary>
        public long LiveRows { get; internal set; }
        /// <summary>The first problem found (file and offset); empty when healthy.</summary>
        public string FirstProblem { get; internal set; }
    }
}
