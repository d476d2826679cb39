import streamlit as st

st.set_page_config(page_title="SoftMax + Cross Entropy", layout="wide")
st.title("SoftMax + Cross Entropy, derived by hand")
st.write("How StatQuest's Iris network learns the bias b3 through SoftMax and cross entropy.")
