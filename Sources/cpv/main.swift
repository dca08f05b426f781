print("cpv")
