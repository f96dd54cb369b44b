using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FlatTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_auth_events_occurred_at",
                table: "auth_events");

            migrationBuilder.AlterColumn<string>(
                name: "normalized_email",
                table: "app_users",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(254)",
                oldMaxLength: 254);

            migrationBuilder.CreateIndex(
                name: "ix_sessions_expires_at",
                table: "sessions",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_refresh_tokens_consumed_expires_at",
                table: "refresh_tokens",
                column: "expires_at",
                filter: "consumed_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_auth_events_actor_id",
                table: "auth_events",
                columns: new[] { "actor_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_auth_events_occurred_at",
                table: "auth_events",
                columns: new[] { "occurred_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_auth_events_request_id",
                table: "auth_events",
                columns: new[] { "request_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sessions_expires_at",
                table: "sessions");

            migrationBuilder.DropIndex(
                name: "ix_refresh_tokens_consumed_expires_at",
                table: "refresh_tokens");

            migrationBuilder.DropIndex(
                name: "ix_auth_events_actor_id",
                table: "auth_events");

            migrationBuilder.DropIndex(
                name: "ix_auth_events_occurred_at",
                table: "auth_events");

            migrationBuilder.DropIndex(
                name: "ix_auth_events_request_id",
                table: "auth_events");

            migrationBuilder.AlterColumn<string>(
                name: "normalized_email",
                table: "app_users",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(254)",
                oldMaxLength: 254,
                oldCollation: "C");

            migrationBuilder.CreateIndex(
                name: "ix_auth_events_occurred_at",
                table: "auth_events",
                column: "occurred_at");
        }
    }
}
