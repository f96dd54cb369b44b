using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Cream.Api.Data;

/// <summary>Marks timestamps read back from SQLite as UTC, which is how they were written.</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
