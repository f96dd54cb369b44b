using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccountDeletion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_tracking_requests_app_users_user_id",
                table: "tracking_requests");

            migrationBuilder.AlterColumn<Guid>(
                name: "user_id",
                table: "tracking_requests",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.CreateTable(
                name: "deleted_users",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deleted_users", x => x.user_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deleted_users_deleted_at",
                table: "deleted_users",
                column: "deleted_at");

            migrationBuilder.AddForeignKey(
                name: "FK_tracking_requests_app_users_user_id",
                table: "tracking_requests",
                column: "user_id",
                principalTable: "app_users",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_tracking_requests_app_users_user_id",
                table: "tracking_requests");

            migrationBuilder.DropTable(
                name: "deleted_users");

            migrationBuilder.AlterColumn<Guid>(
                name: "user_id",
                table: "tracking_requests",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.AddForeignKey(
                name: "FK_tracking_requests_app_users_user_id",
                table: "tracking_requests",
                column: "user_id",
                principalTable: "app_users",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
