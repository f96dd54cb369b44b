using System.ComponentModel.DataAnnotations;

namespace Cream.Api.Audit;

/// <summary>The <c>Audit</c> configuration section.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>Events older than this many days are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often each instance deletes expired events.</summary>
    [Range(1, 1440)]
    public int PruneIntervalMinutes { get; set; } = 60;
}
