data "callingportal_users" "all" {}

output "user_emails" {
  value = [for u in data.callingportal_users.all.users : u.email]
}
