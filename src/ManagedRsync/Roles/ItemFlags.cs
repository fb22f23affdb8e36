namespace ManagedRsync.Roles;

/// <summary>rsync rsync.h: ITEM_* flags the generator sends with each file-list index.</summary>
[Flags]
internal enum ItemFlags
{
    None = 0,
    ReportAtime = 1 << 0,
    ReportChange = 1 << 1,
    ReportSize = 1 << 2,
    ReportTime = 1 << 3,
    ReportPerms = 1 << 4,
    ReportOwner = 1 << 5,
    ReportGroup = 1 << 6,
    ReportAcl = 1 << 7,
    ReportXattr = 1 << 8,
    ReportCrtime = 1 << 10,
    BasisTypeFollows = 1 << 11,
    XnameFollows = 1 << 12,
    IsNew = 1 << 13,
    LocalChange = 1 << 14,
    Transfer = 1 << 15,
    MissingData = 1 << 16,
    Deleted = 1 << 17,

    /// <summary>rsync rsync.h: SIGNIFICANT_ITEM_FLAGS.</summary>
    Significant = ~(BasisTypeFollows | XnameFollows | LocalChange),
}
