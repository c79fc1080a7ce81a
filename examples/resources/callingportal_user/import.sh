# A user can be imported by its ID, its email, or its phone number.
terraform import callingportal_user.jane usr_k3j9x2m4q7ab
terraform import callingportal_user.jane jane.doe@example.com
terraform import callingportal_user.jane +13125550142
